"""Source text of the integrator, appended to each generated model module.

It is kept as text (not imported) because numba caches compiled functions per *file*: the code
generator writes one module per model declaration (model equations + this integrator) into the
kernel cache directory, and ``numba.njit(cache=True)`` then reuses the machine code across
processes. See ``docs/model.md`` ("Solver") for the choice of method.

The integrator is the explicit Dormand–Prince 5(4) pair with an embedded error estimate
(Dormand & Prince, J Comput Appl Math 1980;6:19–26; Hairer, Nørsett & Wanner, *Solving ODEs I*,
§II.5), one adaptive step-size sequence per virtual patient, restarted at every discontinuity
(dose, anti-drug-antibody onset) so that no step
straddles one.
"""

TEMPLATE = r'''
N_PROC = __N_PROC__
PARALLEL = __PARALLEL__


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _pd(y, pk, act_agent, act_proc, act_effect, act_ec50, act_emax, act_hill, conc, inh, dep,
        act, inf):
    K = pk.shape[0]
    for j in range(K):
        c = y[N_IMM + 3 * j + 1] / pk[j, 2]
        conc[j] = c if c > 0.0 else 0.0
    for q in range(N_PROC):
        inh[q] = 1.0
        dep[q] = 0.0
        act[q] = 0.0
        inf[q] = 0.0
    for a in range(act_agent.shape[0]):
        c = conc[act_agent[a]]
        q = act_proc[a]
        if act_effect[a] == 3:
            inf[q] += act_emax[a] * c / act_ec50[a]
            continue
        x = (c / act_ec50[a]) ** act_hill[a]
        e = act_emax[a] * x / (1.0 + x)
        if act_effect[a] == 0:
            inh[q] *= 1.0 - e
        elif act_effect[a] == 1:
            dep[q] += e
        else:
            act[q] += e
    for q in range(N_PROC):
        inh[q] = 1.0 - inh[q]


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _rhs(y, p, pk, ada_on, target_proc, load_idx, act_agent, act_proc, act_effect, act_ec50,
         act_emax, act_hill, conc, inh, dep, act, inf, alg, dy):
    _pd(y, pk, act_agent, act_proc, act_effect, act_ec50, act_emax, act_hill, conc, inh, dep,
        act, inf)
    model_eval(y, p, inh, dep, act, inf, alg, dy)
    for j in range(pk.shape[0]):
        b = N_IMM + 3 * j
        ka = pk[j, 0]
        cl = pk[j, 1]
        if ada_on[j]:
            cl = cl * pk[j, 7]
        v2 = pk[j, 4]
        q = pk[j, 3]
        c = y[b + 1] / pk[j, 2]
        tm = 0.0
        if pk[j, 5] > 0.0:
            load = 1.0
            tp = target_proc[j]
            if tp >= 0 and load_idx[tp] >= 0:
                load = alg[load_idx[tp]]
            cpos = c if c > 0.0 else 0.0
            tm = pk[j, 5] * load * cpos / (pk[j, 6] + cpos)
        flux = q * (c - y[b + 2] / v2)
        dy[b] = -ka * y[b]
        dy[b + 1] = ka * y[b] - cl * c - flux - tm
        dy[b + 2] = flux


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _propagate(y, out, tau, exact, ada_on, lam, vm, vi):
    """Exact linear PK: amounts of agent j at t + tau = V exp(Λ tau) V⁻¹ · amounts at t."""
    for j in range(exact.shape[0]):
        if not exact[j]:
            continue
        m = 1 if ada_on[j] else 0
        b = N_IMM + 3 * j
        w0 = 0.0
        w1 = 0.0
        w2 = 0.0
        for r in range(3):
            w0 += vi[j, m, 0, r] * y[b + r]
            w1 += vi[j, m, 1, r] * y[b + r]
            w2 += vi[j, m, 2, r] * y[b + r]
        w0 *= math.exp(lam[j, m, 0] * tau)
        w1 *= math.exp(lam[j, m, 1] * tau)
        w2 *= math.exp(lam[j, m, 2] * tau)
        for r in range(3):
            out[b + r] = vm[j, m, r, 0] * w0 + vm[j, m, r, 1] * w1 + vm[j, m, r, 2] * w2


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _err_norm(y, ynew, err, rtol, atol):
    s = 0.0
    n = y.shape[0]
    for k in range(n):
        a = abs(y[k])
        b = abs(ynew[k])
        sc = atol[k] + rtol * (a if a > b else b)
        r = err[k] / sc
        s += r * r
    return math.sqrt(s / n)


@njit(cache=True, parallel=PARALLEL, error_model="numpy", fastmath=FASTMATH)
def simulate_batch(y0, p, t_samples, pk, target_proc, dose_t, dose_agent, dose_cmt, dose_amt,
                   ada_onset, act_agent, act_proc, act_effect, act_ec50, act_emax, act_hill,
                   load_idx, out_alg_idx, exact, lam, vm, vi, rtol, atol, h_init, max_steps,
                   out_y, out_alg, status, nsteps):
    n = y0.shape[0]
    K = pk.shape[1]
    ns = N_IMM + 3 * K
    nt = t_samples.shape[0]
    nd = dose_t.shape[0]
    t_end = t_samples[nt - 1]
    for i in prange(n):
        y = np.zeros(ns)
        for k in range(N_IMM):
            y[k] = y0[i, k]
        ada_on = np.zeros(K, dtype=np.bool_)
        conc = np.zeros(K)
        inh = np.zeros(N_PROC)
        dep = np.zeros(N_PROC)
        act = np.zeros(N_PROC)
        inf = np.zeros(N_PROC)
        alg = np.zeros(N_ALG)
        k1 = np.zeros(ns)
        k2 = np.zeros(ns)
        k3 = np.zeros(ns)
        k4 = np.zeros(ns)
        k5 = np.zeros(ns)
        k6 = np.zeros(ns)
        k7 = np.zeros(ns)
        ytmp = np.zeros(ns)
        ynew = np.zeros(ns)
        err = np.zeros(ns)
        pki = pk[i]
        pi = p[i]
        lami = lam[i]
        vmi = vm[i]
        vii = vi[i]
        t = 0.0
        h = h_init
        isamp = 0
        idose = 0
        steps = 0
        st = 0
        fresh = True
        while True:
            # -- events at the current time: record samples (pre-dose), then doses, then ADA
            while isamp < nt and t_samples[isamp] <= t + 1e-12:
                _rhs(y, pi, pki, ada_on, target_proc, load_idx, act_agent, act_proc, act_effect,
                     act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, k7)
                for k in range(ns):
                    out_y[i, isamp, k] = y[k]
                for m in range(out_alg_idx.shape[0]):
                    out_alg[i, isamp, m] = alg[out_alg_idx[m]]
                isamp += 1
            while idose < nd and dose_t[idose] <= t + 1e-12:
                y[N_IMM + 3 * dose_agent[idose] + dose_cmt[idose]] += dose_amt[i, idose]
                idose += 1
                fresh = True
            for j in range(K):
                if (not ada_on[j]) and ada_onset[i, j] <= t + 1e-12:
                    ada_on[j] = True
                    fresh = True
            if isamp >= nt or st != 0:
                break
            # -- next discontinuity or sample
            tb = t_samples[isamp]
            if idose < nd and dose_t[idose] < tb:
                tb = dose_t[idose]
            for j in range(K):
                if (not ada_on[j]) and ada_onset[i, j] < tb:
                    tb = ada_onset[i, j]
            if fresh:
                # restart after a discontinuity with a step short against the fastest drug rate,
                # so the stages resolve the new forcing (a long step could straddle a short
                # absorption peak unseen by the error estimate)
                _rhs(y, pi, pki, ada_on, target_proc, load_idx, act_agent, act_proc, act_effect,
                     act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, k1)
                fresh = False
                # fastest drug rate of this patient (absorption or elimination)
                rmax = 1e-12
                for j in range(K):
                    r1 = pki[j, 0]
                    r2 = pki[j, 1] / pki[j, 2]
                    if r1 > rmax:
                        rmax = r1
                    if r2 > rmax:
                        rmax = r2
                hr = 0.2 / rmax
                if hr < h_init:
                    hr = h_init
                if h > hr:
                    h = hr
            # -- adaptive Dormand-Prince 5(4) from t to tb
            while t < tb - 1e-12:
                if steps >= max_steps:
                    st = 1
                    break
                last = False
                hh = h
                if t + hh >= tb - 1e-12:
                    hh = tb - t
                    last = True
                for k in range(ns):
                    ytmp[k] = y[k] + hh * (0.2 * k1[k])
                _propagate(y, ytmp, 0.2 * hh, exact, ada_on, lami, vmi, vii)
                _rhs(ytmp, pi, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                     act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, k2)
                for k in range(ns):
                    ytmp[k] = y[k] + hh * (3.0 / 40.0 * k1[k] + 9.0 / 40.0 * k2[k])
                _propagate(y, ytmp, 0.3 * hh, exact, ada_on, lami, vmi, vii)
                _rhs(ytmp, pi, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                     act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, k3)
                for k in range(ns):
                    ytmp[k] = y[k] + hh * (44.0 / 45.0 * k1[k] - 56.0 / 15.0 * k2[k]
                                           + 32.0 / 9.0 * k3[k])
                _propagate(y, ytmp, 0.8 * hh, exact, ada_on, lami, vmi, vii)
                _rhs(ytmp, pi, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                     act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, k4)
                for k in range(ns):
                    ytmp[k] = y[k] + hh * (19372.0 / 6561.0 * k1[k] - 25360.0 / 2187.0 * k2[k]
                                           + 64448.0 / 6561.0 * k3[k] - 212.0 / 729.0 * k4[k])
                _propagate(y, ytmp, 8.0 / 9.0 * hh, exact, ada_on, lami, vmi, vii)
                _rhs(ytmp, pi, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                     act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, k5)
                for k in range(ns):
                    ytmp[k] = y[k] + hh * (9017.0 / 3168.0 * k1[k] - 355.0 / 33.0 * k2[k]
                                           + 46732.0 / 5247.0 * k3[k] + 49.0 / 176.0 * k4[k]
                                           - 5103.0 / 18656.0 * k5[k])
                _propagate(y, ytmp, 1.0 * hh, exact, ada_on, lami, vmi, vii)
                _rhs(ytmp, pi, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                     act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, k6)
                for k in range(ns):
                    ynew[k] = y[k] + hh * (35.0 / 384.0 * k1[k] + 500.0 / 1113.0 * k3[k]
                                           + 125.0 / 192.0 * k4[k] - 2187.0 / 6784.0 * k5[k]
                                           + 11.0 / 84.0 * k6[k])
                _propagate(y, ynew, hh, exact, ada_on, lami, vmi, vii)
                _rhs(ynew, pi, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                     act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, k7)
                for k in range(ns):
                    err[k] = hh * (71.0 / 57600.0 * k1[k] - 71.0 / 16695.0 * k3[k]
                                   + 71.0 / 1920.0 * k4[k] - 17253.0 / 339200.0 * k5[k]
                                   + 22.0 / 525.0 * k6[k] - 1.0 / 40.0 * k7[k])
                for j in range(K):
                    if exact[j]:
                        b = N_IMM + 3 * j
                        err[b] = 0.0
                        err[b + 1] = 0.0
                        err[b + 2] = 0.0
                en = _err_norm(y, ynew, err, rtol, atol[i])
                steps += 1
                if not math.isfinite(en):
                    if hh < 1e-10:
                        st = 2
                        break
                    h = 0.1 * hh
                    continue
                if en <= 1.0:
                    t = tb if last else t + hh
                    for k in range(ns):
                        y[k] = ynew[k]
                        k1[k] = k7[k]
                    fac = 5.0 if en < 1e-10 else min(5.0, 0.9 * en ** -0.2)
                    hnew = hh * fac
                    if not last or hnew < h:
                        h = hnew
                else:
                    h = hh * max(0.2, 0.9 * en ** -0.2)
                    if h < 1e-12:
                        st = 3
                        break
            if st != 0:
                break
            t = tb
        status[i] = st
        nsteps[i] = steps
        if st != 0:
            for s in range(isamp, nt):
                for k in range(ns):
                    out_y[i, s, k] = np.nan
                for m in range(out_alg_idx.shape[0]):
                    out_alg[i, s, m] = np.nan


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def evaluate_rhs(y, p, pk, ada_on, target_proc, load_idx, act_agent, act_proc, act_effect,
                 act_ec50, act_emax, act_hill):
    """One right-hand-side evaluation (used by the scipy reference solver in tests)."""
    K = pk.shape[0]
    conc = np.zeros(K)
    inh = np.zeros(N_PROC)
    dep = np.zeros(N_PROC)
    act = np.zeros(N_PROC)
    inf = np.zeros(N_PROC)
    alg = np.zeros(N_ALG)
    dy = np.zeros(y.shape[0])
    _rhs(y, p, pk, ada_on, target_proc, load_idx, act_agent, act_proc, act_effect, act_ec50,
         act_emax, act_hill, conc, inh, dep, act, inf, alg, dy)
    return dy, alg
'''
