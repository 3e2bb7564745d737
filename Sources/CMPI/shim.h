#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H
#include <mpi.h>
#endif
