// Open MPI's predefined handles (MPI_COMM_WORLD, MPI_BYTE, MPI_SUM, ...) are macros over
// the addresses of globals, which Swift cannot import. Each is exposed here as a tiny
// function, the way swift-nio's CNIOLinux exposes C macros.
#ifndef CMPISHIMS_H
#define CMPISHIMS_H
#include <mpi.h>

// Communicators, groups, infos, requests, messages, error handlers.
MPI_Comm cmpi_comm_world(void);
MPI_Comm cmpi_comm_self(void);
MPI_Comm cmpi_comm_null(void);
MPI_Group cmpi_group_empty(void);
MPI_Group cmpi_group_null(void);
MPI_Info cmpi_info_null(void);
MPI_Request cmpi_request_null(void);
MPI_Message cmpi_message_null(void);
MPI_Message cmpi_message_no_proc(void);
MPI_Errhandler cmpi_errors_return(void);
MPI_Errhandler cmpi_errors_are_fatal(void);
MPI_Status *cmpi_status_ignore(void);
MPI_Status *cmpi_statuses_ignore(void);
void *cmpi_in_place(void);

// Datatypes.
MPI_Datatype cmpi_datatype_null(void);
MPI_Datatype cmpi_byte(void);
MPI_Datatype cmpi_char(void);
MPI_Datatype cmpi_signed_char(void);
MPI_Datatype cmpi_unsigned_char(void);
MPI_Datatype cmpi_int8(void);
MPI_Datatype cmpi_int16(void);
MPI_Datatype cmpi_int32(void);
MPI_Datatype cmpi_int64(void);
MPI_Datatype cmpi_uint8(void);
MPI_Datatype cmpi_uint16(void);
MPI_Datatype cmpi_uint32(void);
MPI_Datatype cmpi_uint64(void);
MPI_Datatype cmpi_float(void);
MPI_Datatype cmpi_double(void);
MPI_Datatype cmpi_c_bool(void);
MPI_Datatype cmpi_float_int(void);
MPI_Datatype cmpi_double_int(void);
MPI_Datatype cmpi_long_int(void);
MPI_Datatype cmpi_2int(void);

// Reduction operations.
MPI_Op cmpi_op_null(void);
MPI_Op cmpi_max(void);
MPI_Op cmpi_min(void);
MPI_Op cmpi_sum(void);
MPI_Op cmpi_prod(void);
MPI_Op cmpi_land(void);
MPI_Op cmpi_band(void);
MPI_Op cmpi_lor(void);
MPI_Op cmpi_bor(void);
MPI_Op cmpi_lxor(void);
MPI_Op cmpi_bxor(void);
MPI_Op cmpi_minloc(void);
MPI_Op cmpi_maxloc(void);
MPI_Op cmpi_replace(void);

// Integer constants that are plain macros import by themselves (MPI_ANY_SOURCE, MPI_ANY_TAG,
// MPI_SUCCESS, MPI_THREAD_*), but a few are expressions Swift may not import.
int cmpi_any_source(void);
int cmpi_any_tag(void);
int cmpi_proc_null(void);
int cmpi_undefined(void);
int cmpi_max_error_string(void);
int cmpi_max_processor_name(void);
int cmpi_max_port_name(void);
int cmpi_max_library_version_string(void);
int cmpi_max_info_val(void);
int cmpi_comm_type_shared(void);
int cmpi_ident(void);
int cmpi_congruent(void);
int cmpi_similar(void);
int cmpi_unequal(void);

#endif
