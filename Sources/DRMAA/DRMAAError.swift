/// DRMAA 1.0's error codes (the C binding's `DRMAA_ERRNO_*`) and its fixed numbers
/// (`drmaa_job_ps` states, `drmaa_control` actions, timeouts).
///
/// Source: OGF GFD.133, "Distributed Resource Management Application API C Bindings v1.0".
enum DRMAAErrno: Int32 {
    case success = 0
    case internalError = 1
    case drmCommunicationFailure = 2
    case authFailure = 3
    case invalidArgument = 4
    case noActiveSession = 5
    case noMemory = 6
    case invalidContactString = 7
    case defaultContactStringError = 8
    case noDefaultContactStringSelected = 9
    case drmsInitFailed = 10
    case alreadyActiveSession = 11
    case drmsExitError = 12
    case invalidAttributeFormat = 13
    case invalidAttributeValue = 14
    case conflictingAttributeValues = 15
    case tryLater = 16
    case deniedByDRM = 17
    case invalidJob = 18
    case resumeInconsistentState = 19
    case suspendInconsistentState = 20
    case holdInconsistentState = 21
    case releaseInconsistentState = 22
    case exitTimeout = 23
    case noRusage = 24
    case noMoreElements = 25

    /// The text `drmaa_strerror` gives.
    var text: String {
        switch self {
        case .success: return "success"
        case .internalError: return "unexpected or internal DRMAA error"
        case .drmCommunicationFailure: return "could not contact the DRM system (the farm)"
        case .authFailure: return "authorization failure"
        case .invalidArgument: return "invalid argument value"
        case .noActiveSession: return "no active DRMAA session"
        case .noMemory: return "failed allocating memory"
        case .invalidContactString: return "invalid contact string"
        case .defaultContactStringError: return "cannot use the default contact string"
        case .noDefaultContactStringSelected: return "no default contact string selected"
        case .drmsInitFailed: return "DRM system initialization failed"
        case .alreadyActiveSession: return "a DRMAA session is already active"
        case .drmsExitError: return "DRM system disengagement failed"
        case .invalidAttributeFormat: return "invalid attribute format"
        case .invalidAttributeValue: return "invalid attribute value"
        case .conflictingAttributeValues: return "conflicting attribute values"
        case .tryLater: return "the DRM system is overloaded; try later"
        case .deniedByDRM: return "the DRM system rejected the job"
        case .invalidJob: return "the job does not exist"
        case .resumeInconsistentState: return "the job is not suspended"
        case .suspendInconsistentState: return "the job cannot be suspended"
        case .holdInconsistentState: return "the job cannot be held"
        case .releaseInconsistentState: return "the job is not held"
        case .exitTimeout: return "time-out reached while waiting"
        case .noRusage: return "no resource usage data"
        case .noMoreElements: return "no more elements"
        }
    }
}

/// A DRMAA failure: its code and the diagnosis written to the caller's error buffer.
struct DRMAAFailure: Error {
    let code: DRMAAErrno
    let diagnosis: String
    init(_ code: DRMAAErrno, _ diagnosis: String? = nil) {
        self.code = code
        self.diagnosis = diagnosis ?? code.text
    }
}

/// `drmaa_job_ps` states.
enum DRMAAJobState: Int32 {
    case undetermined = 0x00
    case queuedActive = 0x10
    case systemOnHold = 0x11
    case running = 0x20
    case done = 0x30
    case failed = 0x40
}

/// `drmaa_control` actions.
enum DRMAAAction: Int32 {
    case suspend = 0, resume, hold, release, terminate
}

/// The names DRMAA gives job-id sets and its timeouts.
enum DRMAANames {
    static let sessionAll = "DRMAA_JOB_IDS_SESSION_ALL"
    static let sessionAny = "DRMAA_JOB_IDS_SESSION_ANY"
    static let waitForever = -1
    static let noWait = 0
    static let incrementPlaceholder = "$drmaa_incr_ph$"
    static let homePlaceholder = "$drmaa_hd_ph$"
    static let workingDirectoryPlaceholder = "$drmaa_wd_ph$"
}
