/* Branch-free exp and log for the kernels' log-space arithmetic.

   Why: glibc's exp/log are scalar calls; a pass evaluates S*A exponentials and
   S (causal) or S*A (non-causal) logarithms per time step, about half of its
   time. These are plain C (IEEE double operations only, no table, no errno,
   no branches), so GCC vectorises the loops that call them (with
   -fno-trapping-math) and, on x86-64, tirl_softmax_rows is compiled twice
   (target_clones): AVX2 and the baseline, picked at load time. The kernels are
   compiled with -ffp-contract=off, so both clones, and the scalar calls, give
   identical bits: results do not depend on the CPU's vector width or on the
   thread count.

   Accuracy (tests/test_fastmath.py): within 1 ulp of the correctly rounded
   value in the tested ranges (exp on [-745, 709], log on all positive normal and
   subnormal doubles); exp underflows to 0 below -745.2 like exp().

   exp:  x = k ln2 + r, |r| <= ln2/2 (Cody-Waite), exp(r) by its Taylor
         polynomial to r^13 (truncation < 4e-18 relative), evaluated in
         Estrin's scheme (a dependency chain a third as deep as Horner's: the
         vectorised loops were latency-bound), 2^k applied as two
         exponent-field scalings so that results down to the subnormal range
         are right.
   log:  x = 2^k m with m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f),
         log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))) with R the atanh series
         to s^22 (fdlibm's arrangement, Taylor coefficients, Estrin's scheme;
         truncation < 2e-18).
*/
#ifndef TIRL_FASTMATH_H
#define TIRL_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(_MSC_VER)
#define TIRL_RESTRICT __restrict
#else
#define TIRL_RESTRICT restrict
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && __GNUC__ >= 8
#define TIRL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TIRL_CLONES
#endif

static inline double tirl_bits_to_double(int64_t b) { double d; memcpy(&d, &b, 8); return d; }
static inline int64_t tirl_double_to_bits(double d) { int64_t b; memcpy(&b, &d, 8); return b; }

static inline double tirl_exp(double x)
{
    const double log2e = 1.4426950408889634, ln2hi = 6.93147180369123816490e-01,
                 ln2lo = 1.90821492927058770002e-10, shifter = 6755399441055744.0; /* 1.5 * 2^52 */
    x = x > -1400.0 ? x : -1400.0; /* far below underflow; keeps k in range */
    x = x < 709.8 ? x : 709.8;     /* callers pass x <= 0; never overflow the scaling */
    double kd = x * log2e + shifter; /* round(x / ln2) in the low mantissa bits */
    double k = kd - shifter;
    double r = (x - k * ln2hi) - k * ln2lo;
    /* exp(r) = 1 + r + r^2 (c2 + c3 r + ... + c13 r^11), c_n = 1/n!, in Estrin's
       scheme: pairs, then pairs of pairs, so that the dependency chain is 4
       multiply-adds deep instead of Horner's 12 (the loops are latency-bound) */
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double p23 = 0.5 + r * (1.0 / 6.0), p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
    double p67 = 1.0 / 720.0 + r * (1.0 / 5040.0), p89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
    double p1011 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0), p1213 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
    double q0 = p23 + r2 * p45, q1 = p67 + r2 * p89, q2 = p1011 + r2 * p1213;
    double p = (q0 + r4 * q1) + r8 * q2;
    p = p * r2 + r + 1.0;
    int64_t ki = tirl_double_to_bits(kd) - tirl_double_to_bits(shifter); /* in [-2020, 1024] */
    /* two scalings reach 2^-2020 without overflowing a field; k1 = floor(ki / 2) by a
       logical shift of a non-negative copy (AVX2 has no 64-bit arithmetic shift) */
    int64_t k1 = (int64_t)((uint64_t)(ki + 4096) >> 1) - 2048, k2 = ki - k1;
    return p * tirl_bits_to_double((k1 + 1023) << 52) * tirl_bits_to_double((k2 + 1023) << 52);
}

static inline double tirl_log(double x)
{
    const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10;
    const int64_t sqrt_half = tirl_double_to_bits(0.70710678118654752440), mantissa = ((int64_t)1 << 52) - 1;
    int64_t ix = tirl_double_to_bits(x);
    int64_t is = tirl_double_to_bits(x * 18014398509481984.0); /* 2^54: subnormals become normal */
    int64_t sub = ix < ((int64_t)1 << 52);
    ix = sub ? is : ix;
    double sub_shift = sub ? 54.0 : 0.0;
    int64_t t = ix - sqrt_half; /* x = 2^e m with m in [sqrt(1/2), sqrt(2)), e = floor(t / 2^52) */
    double m = tirl_bits_to_double((t & mantissa) + sqrt_half);
    /* e as a double without 64-bit arithmetic shifts or int64 -> double conversions (AVX2 has
       neither, and either would keep the loop scalar): e + 2048 in [0, 4096) sits in the low
       mantissa bits of 2^52 */
    uint64_t eu = ((uint64_t)t + ((uint64_t)2048 << 52)) >> 52;
    double k = (tirl_bits_to_double((int64_t)(eu | 0x4330000000000000ULL)) - 4503599627370496.0) - (2048.0 + sub_shift);
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s;
    /* R = z (2/3 + 2/5 z + ... + 2/23 z^10), Estrin's scheme as in tirl_exp */
    double z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
    double c01 = 2.0 / 3.0 + z * (2.0 / 5.0), c23 = 2.0 / 7.0 + z * (2.0 / 9.0), c45 = 2.0 / 11.0 + z * (2.0 / 13.0);
    double c67 = 2.0 / 15.0 + z * (2.0 / 17.0), c89 = 2.0 / 19.0 + z * (2.0 / 21.0);
    double R = ((c01 + z2 * c23) + z4 * (c45 + z2 * c67)) + z8 * (c89 + z2 * (2.0 / 23.0));
    R = R * z;
    double hfsq = 0.5 * f * f;
    return k * ln2hi + ((f - (hfsq - s * (hfsq + R))) + k * ln2lo);
}

/* Python.h (included first by the Cython module) defines Py_ssize_t. */

/* The soft maximum of n rows of length A, given transposed (e[a n + i] = q[i, a]; destroyed):
     m_i = max_a q[i, a],  e[i, a] = exp((q[i, a] - m_i) / tau),  acc_i = sum_a e[i, a],
     v[i] = m_i + tau log(acc_i),  and, when pi != NULL, pi[i, a] = e[i, a] / acc_i (row-major).
   In this layout every step -- the maxima, exponentials, sums over a (in the
   order a = 0 .. A-1), logarithms and divisions -- is a vectorised loop across
   the n rows, whatever A is. work: 2 n doubles. */
TIRL_CLONES static void tirl_soft_block(double *TIRL_RESTRICT e, Py_ssize_t n, Py_ssize_t A, double tau,
                                        double *TIRL_RESTRICT pi, double *TIRL_RESTRICT v, double *TIRL_RESTRICT work)
{
    double *m = work, *acc = work + n;
    Py_ssize_t i, a, k, nA = n * A;
    for (i = 0; i < n; i++)
        m[i] = -INFINITY;
    for (a = 0; a < A; a++)
        for (i = 0; i < n; i++)
            m[i] = e[a * n + i] > m[i] ? e[a * n + i] : m[i];
    for (a = 0; a < A; a++)
        for (i = 0; i < n; i++)
            e[a * n + i] -= m[i];
    if (tau == 1.0) /* x / 1 == x exactly: the same bits without the divisions */
        for (k = 0; k < nA; k++)
            e[k] = tirl_exp(e[k]);
    else
        for (k = 0; k < nA; k++)
            e[k] = tirl_exp(e[k] / tau);
    for (i = 0; i < n; i++)
        acc[i] = 0.0;
    for (a = 0; a < A; a++)
        for (i = 0; i < n; i++)
            acc[i] += e[a * n + i];
    if (v != NULL) /* NULL: the policy alone (a forward pass recomputing it from known values) */
        for (i = 0; i < n; i++)
            v[i] = m[i] + tau * tirl_log(acc[i]);
    if (pi == NULL)
        return;
    for (a = 0; a < A; a++)
        for (i = 0; i < n; i++)
            e[a * n + i] /= acc[i];
    for (i = 0; i < n; i++)
        for (a = 0; a < A; a++)
            pi[i * A + a] = e[a * n + i];
}

/* The soft (or, with hard, the hard) maximum over a of each of K columns of n
   A x K blocks (block i at q + i A K, q[i A K + a K + kk]):
   v[i K + kk] = m + tau log(sum_a exp((q[i, a, kk] - m) / tau)), m = max_a q[i, a, kk].
   Per column the same operations in the same order as tirl_soft_block per row
   (the batched passes equal K single passes bit for bit), vectorised across the
   K columns; n blocks per call, so that short columns (small K) do not pay a
   call per state. work: 2 K doubles. */
TIRL_CLONES static void tirl_soft_columns(const double *TIRL_RESTRICT q_all, Py_ssize_t n, Py_ssize_t A, Py_ssize_t K,
                                          double tau, int hard, double *TIRL_RESTRICT v_all,
                                          double *TIRL_RESTRICT work)
{
    double *m = work, *acc = work + K;
    Py_ssize_t i, a, kk;
    for (i = 0; i < n; i++) {
        const double *q = q_all + i * A * K;
        double *v = v_all + i * K;
        for (kk = 0; kk < K; kk++)
            m[kk] = -INFINITY;
        for (a = 0; a < A; a++)
            for (kk = 0; kk < K; kk++)
                m[kk] = q[a * K + kk] > m[kk] ? q[a * K + kk] : m[kk];
        if (hard) {
            for (kk = 0; kk < K; kk++)
                v[kk] = m[kk];
            continue;
        }
        for (kk = 0; kk < K; kk++)
            acc[kk] = 0.0;
        for (a = 0; a < A; a++) {
            if (tau == 1.0)
                for (kk = 0; kk < K; kk++)
                    acc[kk] += tirl_exp(q[a * K + kk] - m[kk]);
            else
                for (kk = 0; kk < K; kk++)
                    acc[kk] += tirl_exp((q[a * K + kk] - m[kk]) / tau);
        }
        for (kk = 0; kk < K; kk++)
            v[kk] = m[kk] + tau * tirl_log(acc[kk]);
    }
}

/* x[k] = log(x[k]) for k < n, vectorised. */
TIRL_CLONES static void tirl_log_inplace(double *x, Py_ssize_t n)
{
    Py_ssize_t k;
    for (k = 0; k < n; k++)
        x[k] = tirl_log(x[k]);
}

/* out[k] = exp((x[k] - shift) / tau) for k < n, vectorised. */
TIRL_CLONES static void tirl_exp_shifted(const double *TIRL_RESTRICT x, double shift, double tau, double *TIRL_RESTRICT out,
                                         Py_ssize_t n)
{
    Py_ssize_t k;
    if (tau == 1.0)
        for (k = 0; k < n; k++)
            out[k] = tirl_exp(x[k] - shift);
    else
        for (k = 0; k < n; k++)
            out[k] = tirl_exp((x[k] - shift) / tau);
}

#endif
