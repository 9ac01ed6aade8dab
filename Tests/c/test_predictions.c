/*
 * C tests of the predictions (issue 23): fs_problem_spectrum and fs_problem_predict against
 * closed forms. For "identity" without noise 𝒜*(y) = X⋆, so its singular values are the target's
 * s⋆_i = κ^{−(i−1)/(r−1)} (geometric from 1 to 1/κ), zero beyond r; the spectral subspace is the
 * truth's (angle 0), the gap 0, the plateau slope 2, and the learning times are
 * ln(c_i/α)/ln(1 + ηs⋆_i) with c_i = √(2s⋆_i) (asymmetric, f = ½) or √(s⋆_i) (PSD). Then the
 * refusals: each writes nothing. Prints "N passed, M failed" and exits nonzero on any failure.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"

enum { N1 = 7, N2 = 5, R = 3 };
static const double KAPPA = 4, ALPHA = 1e-5, ETA = 0.3;

static int near(double a, double b) { return fabs(a - b) <= 1e-12 * fmax(1, fabs(b)); }

static fs_problem *identity_problem(int psd) {
    fs_problem *p = NULL;
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = N1;
    spec.n2 = psd ? N1 : N2;
    spec.rank = R;
    spec.condition_number = KAPPA;
    spec.psd = psd;
    spec.seed = 3;
    CHECK(fs_problem_create(&p) == FS_OK);
    CHECK(fs_problem_generate(p, "identity", &spec) == FS_OK);
    return p;
}

static void closed_forms(int psd) {
    fs_problem *p = identity_problem(psd);
    double s[R + 1];
    for (int i = 0; i < R; i++) s[i] = pow(KAPPA, -(double)i / (R - 1));
    s[R] = 0;

    double values[R + 1];
    CHECK(fs_problem_spectrum(p, NULL, 0, values, R + 1) == FS_OK);
    for (int i = 0; i <= R; i++) CHECK(fabs(values[i] - s[i]) <= 1e-12);

    fs_predictions found;
    memset(&found, 0, sizeof found);
    found.struct_size = sizeof found;
    CHECK(fs_problem_predict(p, ALPHA, ETA, 0, 0, "dense", 0, &found, NULL, NULL, 0) == FS_OK);
    CHECK(found.struct_size == sizeof found && found.rank == R);
    CHECK(fabs(found.gap) <= 1e-12 && fabs(found.plateau_slope - 2) <= 1e-12);
    CHECK(found.spectral_angle_left <= 1e-12 && found.spectral_angle_right <= 1e-12);

    double iterations[R], times[R];
    CHECK(fs_problem_predict(p, ALPHA, ETA, 0, 0.5, NULL, 0, &found, iterations, times, R) == FS_OK);
    for (int i = 0; i < R; i++) {
        double c = sqrt((psd ? 1 : 2) * s[i]);
        CHECK(near(iterations[i], log(c / ALPHA) / log1p(ETA * s[i])));
        CHECK(near(times[i], log(c / ALPHA) / s[i]));
    }

    /* No step: the flow's times alone. A fraction f: c_i = √(lift·s⋆_i·f/(1 − f)). */
    CHECK(fs_problem_predict(p, ALPHA, 0, 0, 0.2, NULL, 0, &found, iterations, times, R) == FS_OK);
    for (int i = 0; i < R; i++) {
        CHECK(isnan(iterations[i]));
        CHECK(near(times[i], log(sqrt((psd ? 1 : 2) * s[i] * 0.25) / ALPHA) / s[i]));
    }
    fs_problem_free(p);
}

static void refusals(void) {
    fs_problem *p = identity_problem(0);
    double values[N2 + 1] = {0}, iterations[R] = {0}, times[R] = {0};
    const double sentinel = 7.5;
    for (int i = 0; i < R; i++) iterations[i] = times[i] = sentinel;

    CHECK(fs_problem_spectrum(p, NULL, 0, values, 0) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_spectrum(p, NULL, 0, values, N2 + 1) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(p), "min(n1, n2) = 5") != NULL);
    CHECK(fs_problem_spectrum(p, "svd", 0, values, 2) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(p), "spectral_method must be one of") != NULL);
    CHECK(fs_problem_spectrum(p, NULL, 0, NULL, 2) == FS_ERROR_NULL_POINTER);
    CHECK(fs_problem_spectrum(NULL, NULL, 0, values, 2) == FS_ERROR_INVALID_HANDLE);

    fs_predictions found;
    memset(&found, 0, sizeof found);
    found.struct_size = sizeof found;
    CHECK(fs_problem_predict(p, 0, ETA, 0, 0, NULL, 0, &found, iterations, times, R) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_predict(p, NAN, ETA, 0, 0, NULL, 0, &found, iterations, times, R) == FS_ERROR_NOT_FINITE);
    CHECK(fs_problem_predict(p, ALPHA, -1, 0, 0, NULL, 0, &found, iterations, times, R) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_predict(p, ALPHA, ETA, -1, 0, NULL, 0, &found, iterations, times, R) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_predict(p, ALPHA, ETA, 6, 0, NULL, 0, &found, iterations, times, R) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_predict(p, ALPHA, ETA, 0, 1, NULL, 0, &found, iterations, times, R) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_predict(p, ALPHA, ETA, 0, 0, NULL, 0, NULL, iterations, times, R) == FS_ERROR_NULL_POINTER);
    CHECK(fs_problem_predict(p, ALPHA, ETA, 0, 0, NULL, 0, &found, iterations, times, R - 1) == FS_ERROR_SIZE_MISMATCH);
    CHECK(found.struct_size == sizeof found && found.rank == 0);  /* nothing written */
    for (int i = 0; i < R; i++) CHECK(iterations[i] == sentinel && times[i] == sentinel);

    /* The versioned-struct rule for a struct the library writes: a newer caller's fields it
     * does not know are set to 0 and struct_size is left as the caller's; a size below the first
     * published one is refused before anything is written. */
    unsigned char bigger[sizeof(fs_predictions) + 16];
    memset(bigger, 0xAB, sizeof bigger);
    size_t size = sizeof bigger;
    memcpy(bigger, &size, sizeof size);
    CHECK(fs_problem_predict(p, ALPHA, ETA, 0, 0, NULL, 0, (fs_predictions *)(void *)bigger, NULL, NULL, 0) == FS_OK);
    for (size_t i = sizeof(fs_predictions); i < sizeof bigger; i++) CHECK(bigger[i] == 0);
    memcpy(&size, bigger, sizeof size);
    CHECK(size == sizeof bigger);
    found.struct_size = 8;
    CHECK(fs_problem_predict(p, ALPHA, ETA, 0, 0, NULL, 0, &found, NULL, NULL, 0) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(found.rank == 0);

    /* Without a truth the rank must be given. */
    fs_problem *bare = NULL;
    double a[4 * 6], y[4];
    for (int i = 0; i < 4 * 6; i++) a[i] = sin(i + 1.0);
    for (int i = 0; i < 4; i++) y[i] = cos(i + 1.0);
    CHECK(fs_problem_create(&bare) == FS_OK);
    CHECK(fs_problem_set_dense(bare, 2, 3, 4, a, 4 * 6, y, 4, NULL, 0) == FS_OK);
    found.struct_size = sizeof found;
    CHECK(fs_problem_predict(bare, ALPHA, ETA, 0, 0, NULL, 0, &found, NULL, NULL, 0) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(bare), "no ground truth, so pass rank") != NULL);
    CHECK(fs_problem_predict(bare, ALPHA, ETA, 1, 0, NULL, 0, &found, iterations, times, 1) == FS_OK);
    CHECK(isnan(iterations[0]) && isnan(times[0]) && isnan(found.spectral_angle_left) && isfinite(found.gap));
    fs_problem_free(bare);
    fs_problem_free(p);
}

int main(void) {
    closed_forms(0);
    closed_forms(1);
    refusals();
    return finish();
}
