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
N_PK = __N_PK__
__PK_COLUMNS__
PARALLEL = __PARALLEL__


@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def _pd(y, pk, act_agent, act_proc, act_effect, act_ec50, act_emax, act_hill, conc, inh, dep,
        act, inf):
    """Drug effects per process from the concentrations (Emax/Hill; independent inhibitions).

    Only processes that an action touches are reset and recomputed: every other entry keeps
    its neutral value 0 from the caller's ``np.zeros``. Inhibitions combine as independent
    (Bliss) fractions, ``inh = 1 - prod(1 - e)``, accumulated as ``inh <- 1 - (1 - inh)(1 - e)``.
    An agent with an effect site (``pk[j, PK_KE0] > 0``) acts through its effect-site
    concentration, every other agent through its plasma concentration.
    """
    K = pk.shape[0]
    for j in range(K):
        if pk[j, PK_KE0] > 0.0:
            c = y[N_IMM + N_PK * j + CE_STATE]
        else:
            c = y[N_IMM + N_PK * j + 1] / pk[j, PK_V1]
        conc[j] = c if c > 0.0 else 0.0
    for a in range(act_agent.shape[0]):
        q = act_proc[a]
        inh[q] = 0.0
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
            inh[q] = 1.0 - (1.0 - inh[q]) * (1.0 - e)
        elif act_effect[a] == 1:
            dep[q] += e
        else:
            act[q] += e


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _rhs(y, p, pconst, pk, ada_on, target_proc, load_idx, act_agent, act_proc, act_effect,
         act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, dy):
    _pd(y, pk, act_agent, act_proc, act_effect, act_ec50, act_emax, act_hill, conc, inh, dep,
        act, inf)
    model_eval(y, p, pconst, inh, dep, act, inf, alg, dy)
    for j in range(pk.shape[0]):
        b = N_IMM + N_PK * j
        ka = pk[j, PK_KA]
        cl = pk[j, PK_CL]
        if ada_on[j]:
            cl = cl * pk[j, PK_ADAF]
        v2 = pk[j, PK_V2]
        q = pk[j, PK_Q]
        c = y[b + 1] / pk[j, PK_V1]
        tm = 0.0
        if pk[j, PK_VMAX] > 0.0:
            load = 1.0
            tp = target_proc[j]
            if tp >= 0 and load_idx[tp] >= 0:
                load = alg[load_idx[tp]]
            cpos = c if c > 0.0 else 0.0
            tm = pk[j, PK_VMAX] * load * cpos / (pk[j, PK_KM] + cpos)
        flux = q * (c - y[b + 2] / v2)
        dy[b] = -ka * y[b]
        dy[b + 1] = ka * y[b] - cl * c - flux - tm
        dy[b + 2] = flux
        dy[b + CE_STATE] = pk[j, PK_KE0] * (c - y[b + CE_STATE])


@njit(cache=True, inline="always", error_model="numpy", fastmath=FASTMATH)
def _propagate(y, out, tau, exact, ada_on, lam, vm, vi):
    """Exact linear PK: drug states of agent j at t + tau = V exp(Λ tau) V⁻¹ · states at t."""
    for j in range(exact.shape[0]):
        if not exact[j]:
            continue
        m = 1 if ada_on[j] else 0
        b = N_IMM + N_PK * j
        w0 = 0.0
        w1 = 0.0
        w2 = 0.0
        w3 = 0.0
        for r in range(N_PK):
            w0 += vi[j, m, 0, r] * y[b + r]
            w1 += vi[j, m, 1, r] * y[b + r]
            w2 += vi[j, m, 2, r] * y[b + r]
            w3 += vi[j, m, 3, r] * y[b + r]
        w0 *= math.exp(lam[j, m, 0] * tau)
        w1 *= math.exp(lam[j, m, 1] * tau)
        w2 *= math.exp(lam[j, m, 2] * tau)
        w3 *= math.exp(lam[j, m, 3] * tau)
        for r in range(N_PK):
            out[b + r] = (vm[j, m, r, 0] * w0 + vm[j, m, r, 1] * w1 + vm[j, m, r, 2] * w2
                          + vm[j, m, r, 3] * w3)


# Dormand-Prince 5(4) tableau (Dormand & Prince 1980; Hairer, Norsett & Wanner I, Table II.5.2):
# row s of _A gives stage s from stages 0..s-1; row 6 is the 5th-order solution (FSAL: stage 6 is
# f at the new point, the first stage of the next step); _E = b - b_hat, the embedded error.
_C = np.array([0.0, 0.2, 0.3, 0.8, 8.0 / 9.0, 1.0, 1.0])
_A = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0, 0.0],
    [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0.0, 0.0, 0.0],
    [9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0.0, 0.0],
    [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0, 0.0],
])
_E = np.array([71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0,
               22.0 / 525.0, -1.0 / 40.0])
# Continuous extension of order 4 (Shampine, Math Comp 1986;46:135-150, as in Hairer's DOPRI5
# and scipy's RK45): y(t + th h) = y + h sum_j k_j (P[j,0] th + P[j,1] th^2 + P[j,2] th^3 +
# P[j,3] th^4); exact at th = 0 and th = 1.
_P = np.array([
    [1.0, -8048581381.0 / 2820520608.0, 8663915743.0 / 2820520608.0,
     -12715105075.0 / 11282082432.0],
    [0.0, 0.0, 0.0, 0.0],
    [0.0, 131558114200.0 / 32700410799.0, -68118460800.0 / 10900136933.0,
     87487479700.0 / 32700410799.0],
    [0.0, -1754552775.0 / 470086768.0, 14199869525.0 / 1410260304.0,
     -10690763975.0 / 1880347072.0],
    [0.0, 127303824393.0 / 49829197408.0, -318862633887.0 / 49829197408.0,
     701980252875.0 / 199316789632.0],
    [0.0, -282668133.0 / 205662961.0, 2019193451.0 / 616988883.0,
     -1453857185.0 / 822651844.0],
    [0.0, 40617522.0 / 29380423.0, -110615467.0 / 29380423.0, 69997945.0 / 29380423.0],
])


@njit(cache=True, parallel=PARALLEL, error_model="numpy", fastmath=FASTMATH)
def simulate_batch(y0, p, t_samples, pk, target_proc, dose_t, dose_agent, dose_cmt, dose_amt,
                   ada_onset, act_agent, act_proc, act_effect, act_ec50, act_emax, act_hill,
                   load_idx, out_alg_idx, exact, lam, vm, vi, rtol, atol, h_init, h_max,
                   restart_fraction, max_steps, out_y, out_alg, status, nsteps):
    """Integrate every patient; write states ``out_y[k, i, s]`` and outputs ``out_alg[m, i, s]``.

    Per patient: one adaptive DP5(4) step sequence from 0 to the last sample, stopping only at
    discontinuities (doses, ADA onset); samples are read from the continuous extension of the
    step that covers them (states) and the exact PK propagator (drug amounts), then the
    algebraic outputs are evaluated there. A sample at a dose time is the pre-dose state.
    """
    n = y0.shape[0]
    K = pk.shape[1]
    ns = N_IMM + N_PK * K
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
        ks = np.zeros((7, ns))
        ytmp = np.zeros(ns)
        ynew = np.zeros(ns)
        dys = np.zeros(ns)
        bth = np.zeros(7)
        # exact PK: no truncation error in the drug amounts (weight 0 in the error norm)
        errw = np.ones(ns)
        for j in range(K):
            if exact[j]:
                for r in range(N_PK):
                    errw[N_IMM + N_PK * j + r] = 0.0
        pki = pk[i]
        pi = p[i]
        cst = np.zeros(N_CONST)
        model_constants(pi, cst)
        ati = atol[i]
        lami = lam[i]
        vmi = vm[i]
        vii = vi[i]
        # fastest drug rate r of this patient (absorption or elimination): the first step after a
        # discontinuity spans at most restart_fraction / r, so the stages sample the new
        # absorption/elimination transient (a longer step could straddle a short peak unseen by
        # the error estimate); steps are not reset further, the controller takes over from there
        rmax = 1e-12
        for j in range(K):
            r1 = pki[j, PK_KA]
            r2 = pki[j, PK_CL] / pki[j, PK_V1]
            if r1 > rmax:
                rmax = r1
            if r2 > rmax:
                rmax = r2
        h_restart = restart_fraction / rmax
        if h_restart < h_init:
            h_restart = h_init
        t = 0.0
        h = h_init
        isamp = 0
        idose = 0
        steps = 0
        st = 0
        restart = True
        reeval = True
        # samples at t = 0 (pre-dose)
        while isamp < nt and t_samples[isamp] <= 1e-12:
            _rhs(y, pi, cst, pki, ada_on, target_proc, load_idx, act_agent, act_proc, act_effect,
                 act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg, dys)
            for k in range(ns):
                out_y[k, i, isamp] = y[k]
            for m in range(out_alg_idx.shape[0]):
                out_alg[m, i, isamp] = alg[out_alg_idx[m]]
            isamp += 1
        while isamp < nt:
            # -- discontinuities at the current time: doses, then ADA onset. The immune
            # right-hand side sees a drug only through its central concentration, and the
            # amounts of a linear-PK agent come from the exact propagator, never from the
            # stages: a depot dose or an ADA onset of such an agent leaves the FSAL stage
            # valid; anything else (IV bolus, target-mediated agent) re-evaluates it.
            while idose < nd and dose_t[idose] <= t + 1e-12:
                y[N_IMM + N_PK * dose_agent[idose] + dose_cmt[idose]] += dose_amt[i, idose]
                restart = True
                if dose_cmt[idose] != 0 or not exact[dose_agent[idose]]:
                    reeval = True
                idose += 1
            for j in range(K):
                if (not ada_on[j]) and ada_onset[i, j] <= t + 1e-12:
                    ada_on[j] = True
                    restart = True
                    if not exact[j]:
                        reeval = True
            if reeval:
                _rhs(y, pi, cst, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                     act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf, alg,
                     ks[0])
                reeval = False
            if restart:
                restart = False
                if h > h_restart:
                    h = h_restart
            # -- next discontinuity (or the end)
            tb = t_end
            if idose < nd and dose_t[idose] < tb:
                tb = dose_t[idose]
            for j in range(K):
                if (not ada_on[j]) and ada_onset[i, j] < tb:
                    tb = ada_onset[i, j]
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
                for s in range(1, 7):
                    for k in range(ns):
                        acc = 0.0
                        for r in range(s):
                            acc += _A[s, r] * ks[r, k]
                        ytmp[k] = y[k] + hh * acc
                    _propagate(y, ytmp, _C[s] * hh, exact, ada_on, lami, vmi, vii)
                    _rhs(ytmp, pi, cst, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                         act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf,
                         alg, ks[s])
                # the last stage point is the new solution (FSAL)
                en = 0.0
                for k in range(ns):
                    ynew[k] = ytmp[k]
                    e = 0.0
                    for r in range(7):
                        e += _E[r] * ks[r, k]
                    a = abs(y[k])
                    b = abs(ynew[k])
                    q = errw[k] * hh * e / (ati[k] + rtol * (a if a > b else b))
                    en += q * q
                en = math.sqrt(en / ns)
                steps += 1
                if not math.isfinite(en):
                    if hh < 1e-10:
                        st = 2
                        break
                    h = 0.1 * hh
                    continue
                if en > 1.0:
                    h = hh * max(0.2, 0.9 * en ** -0.2)
                    if h < 1e-12:
                        st = 3
                        break
                    continue
                # accepted: samples inside (t, t + hh] from the continuous extension
                t_new = tb if last else t + hh
                while isamp < nt and t_samples[isamp] <= t_new + 1e-12:
                    th = (t_samples[isamp] - t) / hh
                    if th > 1.0:
                        th = 1.0
                    for r in range(7):
                        bth[r] = th * (_P[r, 0] + th * (_P[r, 1] + th * (_P[r, 2]
                                                                         + th * _P[r, 3])))
                    for k in range(ns):
                        acc = 0.0
                        for r in range(7):
                            acc += bth[r] * ks[r, k]
                        ytmp[k] = y[k] + hh * acc
                    _propagate(y, ytmp, th * hh, exact, ada_on, lami, vmi, vii)
                    _rhs(ytmp, pi, cst, pki, ada_on, target_proc, load_idx, act_agent, act_proc,
                         act_effect, act_ec50, act_emax, act_hill, conc, inh, dep, act, inf,
                         alg, dys)
                    for k in range(ns):
                        out_y[k, i, isamp] = ytmp[k]
                    for m in range(out_alg_idx.shape[0]):
                        out_alg[m, i, isamp] = alg[out_alg_idx[m]]
                    isamp += 1
                t = t_new
                for k in range(ns):
                    y[k] = ynew[k]
                    ks[0, k] = ks[6, k]
                fac = 5.0 if en < 1e-10 else min(5.0, 0.9 * en ** -0.2)
                hnew = hh * fac
                if hnew > h_max:
                    hnew = h_max
                if not last or hnew < h:
                    h = hnew
            if st != 0:
                break
            t = tb
        status[i] = st
        nsteps[i] = steps
        if st != 0:
            for s in range(isamp, nt):
                for k in range(ns):
                    out_y[k, i, s] = np.nan
                for m in range(out_alg_idx.shape[0]):
                    out_alg[m, i, s] = np.nan


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
    cst = np.zeros(N_CONST)
    model_constants(p, cst)
    _rhs(y, p, cst, pk, ada_on, target_proc, load_idx, act_agent, act_proc, act_effect, act_ec50,
         act_emax, act_hill, conc, inh, dep, act, inf, alg, dy)
    return dy, alg
'''
