/* Products with P: when every state's actions share one successor list, and for K rewards at once.

   "Shared support": for every state s, the A rows s*A .. s*A+A-1 of the CSR
   matrix P (S*A, S) store the same L_s column indices in the same order (a
   slippery gridworld, FrozenLake, most hand-built tabular MDPs). Then

   * state s's entries are one row-major A x L_s block at data + indptr[s*A],
     whose columns are its first row's indices, kept once more in the compact
     list succ (succ + indptr[s*A] / A: nnz / A entries in all): each
     successor's value is read once for all A actions, and the A sums run as A
     independent chains;
   * in P^T (S, S*A) each row holds, for every predecessor state s, the A
     consecutive entries k = s*A .. s*A+A-1, and pred lists those states (one
     per run: pred[j / A] = t_indices[j] / A): the gather reads mu[s*A ..] as
     one contiguous run and keeps one partial sum per action.

   The compact lists save the index bytes the loops would otherwise stream
   (a quarter of the traffic of these memory-bound products).

   Why: a CSR row of a gridworld holds about 5 entries, so the row-by-row loops
   spend their time on index loads and on one dependent addition chain per row
   (the forward gather: one chain of ~25 additions per state).
   MDP._shared_parts (tabular_irl/mdp.py) builds succ and pred.

   Exactness: tirl_backups_* adds the terms of each row in the CSR order,
   so it gives the bits of the row-by-row product. tirl_gather_* sums
   per action first, then over actions (a fixed order, the same for every thread
   count): its bits differ from the k-ordered gather by rounding only.

   Shared patterns (optional; NULL without): poff[s] / toff[c] point into
   pdata / tdata, where the distinct blocks of P are stored once (A x L row-major
   for P, L x A for P^T: tabular_irl/_patterns.py). The loops then read each
   state's (each run's) values from there instead of from data / t_data: the
   same values, so the same bits, without streaming P's values every step.

   The body is written once for a compile-time number of actions (A = 1 .. 8,
   fully unrolled, partial sums in registers) and once for any A (the
   row-by-row loops over indices / t_indices: the same bits for the
   backups). With succ = NULL (tirl_backups_*) or A = 0 (tirl_gather_*)
   they are the plain row-by-row products. */
#ifndef TIRL_PRODUCTS_H
#define TIRL_PRODUCTS_H

#include <stdint.h>
#include "_fastmath.h" /* TIRL_CLONES, TIRL_RESTRICT */

#if defined(_MSC_VER)
#define TIRL_ALWAYS_INLINE static __forceinline
#else
#define TIRL_ALWAYS_INLINE static inline __attribute__((always_inline))
#endif

#define TIRL_SHARED_MAX_A 8

#define TIRL_DEFINE_SHARED(IDX, SUF)                                                                              \
    /* e[a n + (s - s0)] = r[s A + a] + gamma sum_j P[s A + a, j] v[j] for s0 <= s < s1, n = s1 - s0:         \
       a block's backups, transposed (A rows of n) as tirl_soft_block takes them */                             \
    TIRL_ALWAYS_INLINE void tirl_backup_fixed_##SUF(const IDX *indptr, const IDX *succ, const double *data,        \
                                                    const int64_t *poff, const double *pdata,                      \
                                                    const double *r, double gamma, Py_ssize_t s0, Py_ssize_t s1,   \
                                                    const int A, const double *v, double *e)                       \
    {                                                                                                              \
        const Py_ssize_t n = s1 - s0;                                                                              \
        Py_ssize_t s;                                                                                              \
        for (s = s0; s < s1; s++) {                                                                                \
            const IDX lo = indptr[s * A], L = indptr[s * A + 1] - lo;                                               \
            const IDX *col = succ + lo / A;                                                                        \
            const double *w = poff != NULL ? pdata + poff[s] : data + lo;                                          \
            double acc[TIRL_SHARED_MAX_A];                                                                         \
            IDX j;                                                                                                 \
            int a;                                                                                                 \
            for (a = 0; a < A; a++)                                                                                \
                acc[a] = 0.0;                                                                                      \
            for (j = 0; j < L; j++) {                                                                              \
                const double vj = v[col[j]];                                                                       \
                for (a = 0; a < A; a++)                                                                            \
                    acc[a] += w[a * L + j] * vj;                                                                   \
            }                                                                                                      \
            for (a = 0; a < A; a++)                                                                                \
                e[a * n + (s - s0)] = r[s * A + a] + gamma * acc[a];                                               \
        }                                                                                                          \
    }                                                                                                              \
                                                                                                                   \
    /* the same for any A and without succ (NULL): row by row, the same order and bits */                         \
    static void tirl_backups_##SUF(const IDX *indptr, const IDX *indices, const IDX *succ, const double *data,      \
                                   const int64_t *poff, const double *pdata,                                       \
                                   const double *r, double gamma, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A,      \
                                   const double *v, double *e)                                                     \
    {                                                                                                              \
        const Py_ssize_t n = s1 - s0;                                                                              \
        Py_ssize_t s, a;                                                                                           \
        IDX j;                                                                                                     \
        if (succ != NULL)                                                                                          \
            switch (A) {                                                                                           \
            case 1: tirl_backup_fixed_##SUF(indptr, succ, data, poff, pdata, r, gamma, s0, s1, 1, v, e); return;                \
            case 2: tirl_backup_fixed_##SUF(indptr, succ, data, poff, pdata, r, gamma, s0, s1, 2, v, e); return;                \
            case 3: tirl_backup_fixed_##SUF(indptr, succ, data, poff, pdata, r, gamma, s0, s1, 3, v, e); return;                \
            case 4: tirl_backup_fixed_##SUF(indptr, succ, data, poff, pdata, r, gamma, s0, s1, 4, v, e); return;                \
            case 5: tirl_backup_fixed_##SUF(indptr, succ, data, poff, pdata, r, gamma, s0, s1, 5, v, e); return;                \
            case 6: tirl_backup_fixed_##SUF(indptr, succ, data, poff, pdata, r, gamma, s0, s1, 6, v, e); return;                \
            case 7: tirl_backup_fixed_##SUF(indptr, succ, data, poff, pdata, r, gamma, s0, s1, 7, v, e); return;                \
            case 8: tirl_backup_fixed_##SUF(indptr, succ, data, poff, pdata, r, gamma, s0, s1, 8, v, e); return;                \
            }                                                                                                      \
        for (s = s0; s < s1; s++)                                                                                  \
            for (a = 0; a < A; a++) {                                                                              \
                const Py_ssize_t k = s * A + a;                                                                    \
                double acc = 0.0;                                                                                  \
                for (j = indptr[k]; j < indptr[k + 1]; j++)                                                        \
                    acc += data[j] * v[indices[j]];                                                                \
                e[a * n + (s - s0)] = r[k] + gamma * acc;                                                          \
            }                                                                                                      \
    }                                                                                                              \
                                                                                                                   \
    /* out[sp] = sum_k P^T[sp, k] mu[k] for s0 <= sp < s1, one partial sum per action */                            \
    TIRL_ALWAYS_INLINE void tirl_gather_fixed_##SUF(const IDX *t_indptr, const IDX *pred, const double *t_data,    \
                                                    const int64_t *toff, const double *tdata, Py_ssize_t s0, Py_ssize_t s1, const int A, const double *mu,   \
                                                    double *out)                                                   \
    {                                                                                                              \
        Py_ssize_t sp;                                                                                             \
        for (sp = s0; sp < s1; sp++) {                                                                             \
            double acc[TIRL_SHARED_MAX_A], total;                                                                  \
            IDX j, c;                                                                                              \
            int a;                                                                                                 \
            for (a = 0; a < A; a++)                                                                                \
                acc[a] = 0.0;                                                                                      \
            for (j = t_indptr[sp], c = j / A; j < t_indptr[sp + 1]; j += A, c++) {                                 \
                const double *w = toff != NULL ? tdata + toff[c] : t_data + j;                                     \
                const double *m = mu + (Py_ssize_t)pred[c] * A;                                                    \
                for (a = 0; a < A; a++)                                                                            \
                    acc[a] += w[a] * m[a];                                                                         \
            }                                                                                                      \
            total = acc[0];                                                                                        \
            for (a = 1; a < A; a++)                                                                                \
                total += acc[a];                                                                                   \
            out[sp] = total;                                                                                       \
        }                                                                                                          \
    }                                                                                                              \
                                                                                                                   \
    static void tirl_gather_##SUF(const IDX *t_indptr, const IDX *t_indices, const IDX *pred,              \
                                         const double *t_data, const int64_t *toff, const double *tdata, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A,         \
                                         const double *mu, double *out)                                            \
    {                                                                                                              \
        Py_ssize_t sp;                                                                                             \
        IDX j;                                                                                                     \
        switch (A) {                                                                                               \
        case 1: tirl_gather_fixed_##SUF(t_indptr, pred, t_data, toff, tdata, s0, s1, 1, mu, out); return;                 \
        case 2: tirl_gather_fixed_##SUF(t_indptr, pred, t_data, toff, tdata, s0, s1, 2, mu, out); return;                 \
        case 3: tirl_gather_fixed_##SUF(t_indptr, pred, t_data, toff, tdata, s0, s1, 3, mu, out); return;                 \
        case 4: tirl_gather_fixed_##SUF(t_indptr, pred, t_data, toff, tdata, s0, s1, 4, mu, out); return;                 \
        case 5: tirl_gather_fixed_##SUF(t_indptr, pred, t_data, toff, tdata, s0, s1, 5, mu, out); return;                 \
        case 6: tirl_gather_fixed_##SUF(t_indptr, pred, t_data, toff, tdata, s0, s1, 6, mu, out); return;                 \
        case 7: tirl_gather_fixed_##SUF(t_indptr, pred, t_data, toff, tdata, s0, s1, 7, mu, out); return;                 \
        case 8: tirl_gather_fixed_##SUF(t_indptr, pred, t_data, toff, tdata, s0, s1, 8, mu, out); return;                 \
        }                                                                                                          \
        for (sp = s0; sp < s1; sp++) { /* any A: in the order of k */                                             \
            double acc = 0.0;                                                                                      \
            for (j = t_indptr[sp]; j < t_indptr[sp + 1]; j++)                                                      \
                acc += t_data[j] * mu[t_indices[j]];                                                               \
            out[sp] = acc;                                                                                         \
        }                                                                                                          \
    }

/* Batched rewards: the backups q[(s - s0) A K + a K + kk] = r[(s - s0) A K + a K + kk]
   + gamma sum_j P[s A + a, j] vn[j K + kk] of the A rows of states s0 <= s < s1, for K value
   vectors stored K-innermost (vn[j K + kk]) and those states' rewards r (A x K each). Each
   row's terms in the CSR order, so each column equals the single backup bit for bit;
   vectorised across the K columns, compiled for AVX2 too (TIRL_CLONES). With succ (not
   NULL), state s's A x L block is read as in tirl_backups_*. q: (s1 - s0) A K doubles. */
#define TIRL_DEFINE_BATCH(IDX, SUF)                                                                               \
    TIRL_CLONES static void tirl_backup_batch_##SUF(const IDX *TIRL_RESTRICT indptr, const IDX *TIRL_RESTRICT indices, \
                                                    const IDX *TIRL_RESTRICT succ, const double *TIRL_RESTRICT data, \
                                                    Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t A, Py_ssize_t K,      \
                                                    const double *TIRL_RESTRICT vn,                                \
                                                    const double *TIRL_RESTRICT r_all, double gamma,               \
                                                    double *TIRL_RESTRICT q_all)                                   \
    {                                                                                                              \
        Py_ssize_t s, a, kk;                                                                                       \
        IDX j;                                                                                                     \
        for (s = s0; s < s1; s++) {                                                                                \
            const double *r = r_all + (s - s0) * A * K;                                                            \
            double *q = q_all + (s - s0) * A * K;                                                                  \
            for (kk = 0; kk < A * K; kk++)                                                                         \
                q[kk] = 0.0;                                                                                       \
            if (succ != NULL) {                                                                                    \
                const IDX lo = indptr[s * A], L = indptr[s * A + 1] - lo, *col = succ + lo / A;                      \
                Py_ssize_t k0 = 0;                                                                                 \
                /* 8 columns at a time in registers (through q in memory, every term was a                        \
                   load-add-store); the same terms in the same order per column */                                 \
                for (; k0 + 8 <= K; k0 += 8)                                                                       \
                    for (a = 0; a < A; a++) {                                                                      \
                        double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};                                 \
                        int u;                                                                                     \
                        for (j = 0; j < L; j++) {                                                                  \
                            const double w = data[lo + a * L + j], *vj = vn + col[j] * K + k0;                     \
                            for (u = 0; u < 8; u++)                                                                \
                                acc[u] += w * vj[u];                                                               \
                        }                                                                                          \
                        for (u = 0; u < 8; u++)                                                                    \
                            q[a * K + k0 + u] = acc[u];                                                            \
                    }                                                                                              \
                for (j = 0; j < L; j++) {                                                                          \
                    const double *vj = vn + col[j] * K;                                                            \
                    for (a = 0; a < A; a++) {                                                                      \
                        const double w = data[lo + a * L + j];                                                     \
                        double *qa = q + a * K;                                                                    \
                        for (kk = k0; kk < K; kk++)                                                                \
                            qa[kk] += w * vj[kk];                                                                  \
                    }                                                                                              \
                }                                                                                                  \
            } else {                                                                                               \
                for (a = 0; a < A; a++) {                                                                          \
                    double *qa = q + a * K;                                                                        \
                    for (j = indptr[s * A + a]; j < indptr[s * A + a + 1]; j++) {                                  \
                        const double w = data[j], *vj = vn + indices[j] * K;                                       \
                        for (kk = 0; kk < K; kk++)                                                                 \
                            qa[kk] += w * vj[kk];                                                                  \
                    }                                                                                              \
                }                                                                                                  \
            }                                                                                                      \
            for (kk = 0; kk < A * K; kk++)                                                                         \
                q[kk] = r[kk] + gamma * q[kk];                                                                     \
        }                                                                                                          \
    }

TIRL_DEFINE_SHARED(int32_t, i32)
TIRL_DEFINE_SHARED(int64_t, i64)
TIRL_DEFINE_BATCH(int32_t, i32)
TIRL_DEFINE_BATCH(int64_t, i64)

#endif
