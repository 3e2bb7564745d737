import Foundation
import SystemPackage

extension Error {
    /// Why a file operation failed, in the operating system's words ("Is a directory",
    /// "Permission denied", "No space left on device"): from the POSIX error that
    /// Foundation's file APIs wrap (`NSUnderlyingErrorKey` in `NSPOSIXErrorDomain`), or, where
    /// Foundation kept only its own code, from the errno that code stands for. Messages then
    /// read `PATH: cannot write: Permission denied` instead of Foundation's sentence ("The
    /// operation could not be completed. (NSCocoaErrorDomain error 512.)"). Any other error
    /// keeps its own description.
    public var fileErrorReason: String {
        let error = self as NSError
        if error.domain == NSPOSIXErrorDomain { return Errno(rawValue: Int32(error.code)).description }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Errno(rawValue: Int32(underlying.code)).description
        }
        if let cocoa = self as? CocoaError, let errno = Self.errnoOfFoundationCode[cocoa.code] {
            return errno.description
        }
        return localizedDescription
    }

    /// Foundation's file error codes and the errno each stands for (Foundation's
    /// `_NSErrorWithErrno` maps these errnos to these codes).
    private static var errnoOfFoundationCode: [CocoaError.Code: Errno] {
        [.fileNoSuchFile: .noSuchFileOrDirectory, .fileReadNoSuchFile: .noSuchFileOrDirectory,
         .fileReadNoPermission: .permissionDenied, .fileWriteNoPermission: .permissionDenied,
         .fileWriteOutOfSpace: .noSpace, .fileWriteVolumeReadOnly: .readOnlyFileSystem,
         .fileWriteFileExists: .fileExists, .fileReadTooLarge: .fileTooLarge,
         .fileReadInvalidFileName: .fileNameTooLong, .fileWriteInvalidFileName: .fileNameTooLong]
    }
}
