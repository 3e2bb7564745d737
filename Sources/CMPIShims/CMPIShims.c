// The shims are static inline functions in include/CMPIShims.h; a C target needs one source file.
#include "CMPIShims.h"
