// Open MPI's predefined handles (MPI_COMM_WORLD, MPI_BYTE, MPI_SUM, ...) are macros over
// the addresses of globals, which Swift cannot import. Each is exposed here as a tiny
// function, the way swift-nio's CNIOLinux exposes C macros. They are `static inline` so that
// Swift inlines them into every message call (a plain call costs a few ns per message).
#ifndef CMPISHIMS_H
#define CMPISHIMS_H
#include <mpi.h>

// Communicators, groups, infos, requests, messages, error handlers.
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm cmpi_comm_self(void) { return MPI_COMM_SELF; }
static inline MPI_Comm cmpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Group cmpi_group_empty(void) { return MPI_GROUP_EMPTY; }
static inline MPI_Group cmpi_group_null(void) { return MPI_GROUP_NULL; }
static inline MPI_Info cmpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Message cmpi_message_null(void) { return MPI_MESSAGE_NULL; }
static inline MPI_Message cmpi_message_no_proc(void) { return MPI_MESSAGE_NO_PROC; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Errhandler cmpi_errors_are_fatal(void) { return MPI_ERRORS_ARE_FATAL; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *cmpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }

// Datatypes.
static inline MPI_Datatype cmpi_datatype_null(void) { return MPI_DATATYPE_NULL; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype cmpi_char(void) { return MPI_CHAR; }
static inline MPI_Datatype cmpi_signed_char(void) { return MPI_SIGNED_CHAR; }
static inline MPI_Datatype cmpi_unsigned_char(void) { return MPI_UNSIGNED_CHAR; }
static inline MPI_Datatype cmpi_int8(void) { return MPI_INT8_T; }
static inline MPI_Datatype cmpi_int16(void) { return MPI_INT16_T; }
static inline MPI_Datatype cmpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype cmpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype cmpi_uint16(void) { return MPI_UINT16_T; }
static inline MPI_Datatype cmpi_uint32(void) { return MPI_UINT32_T; }
static inline MPI_Datatype cmpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_c_bool(void) { return MPI_C_BOOL; }
static inline MPI_Datatype cmpi_float_int(void) { return MPI_FLOAT_INT; }
static inline MPI_Datatype cmpi_double_int(void) { return MPI_DOUBLE_INT; }
static inline MPI_Datatype cmpi_long_int(void) { return MPI_LONG_INT; }
static inline MPI_Datatype cmpi_2int(void) { return MPI_2INT; }

// Reduction operations.
static inline MPI_Op cmpi_op_null(void) { return MPI_OP_NULL; }
static inline MPI_Op cmpi_max(void) { return MPI_MAX; }
static inline MPI_Op cmpi_min(void) { return MPI_MIN; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline MPI_Op cmpi_prod(void) { return MPI_PROD; }
static inline MPI_Op cmpi_land(void) { return MPI_LAND; }
static inline MPI_Op cmpi_band(void) { return MPI_BAND; }
static inline MPI_Op cmpi_lor(void) { return MPI_LOR; }
static inline MPI_Op cmpi_bor(void) { return MPI_BOR; }
static inline MPI_Op cmpi_lxor(void) { return MPI_LXOR; }
static inline MPI_Op cmpi_bxor(void) { return MPI_BXOR; }
static inline MPI_Op cmpi_minloc(void) { return MPI_MINLOC; }
static inline MPI_Op cmpi_maxloc(void) { return MPI_MAXLOC; }
static inline MPI_Op cmpi_replace(void) { return MPI_REPLACE; }

// Integer constants that are plain macros import by themselves (MPI_ANY_SOURCE, MPI_ANY_TAG,
// MPI_SUCCESS, MPI_THREAD_*), but a few are expressions Swift may not import.
static inline int cmpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int cmpi_any_tag(void) { return MPI_ANY_TAG; }
static inline int cmpi_proc_null(void) { return MPI_PROC_NULL; }
static inline int cmpi_undefined(void) { return MPI_UNDEFINED; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int cmpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline int cmpi_max_port_name(void) { return MPI_MAX_PORT_NAME; }
static inline int cmpi_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
static inline int cmpi_max_info_val(void) { return MPI_MAX_INFO_VAL; }
static inline int cmpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline int cmpi_ident(void) { return MPI_IDENT; }
static inline int cmpi_congruent(void) { return MPI_CONGRUENT; }
static inline int cmpi_similar(void) { return MPI_SIMILAR; }
static inline int cmpi_unequal(void) { return MPI_UNEQUAL; }

#endif
