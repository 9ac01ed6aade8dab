/* OpenBLAS's CBLAS and the LAPACKE C interface to LAPACK: the only linear algebra FactorSense
   calls, and only from Sources/FactorSense/Linear. */
#include <cblas.h>
#include <lapacke.h>
