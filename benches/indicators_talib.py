#!/usr/bin/env python3
"""TA-Lib's side of `cargo bench --bench indicators`: every indicator the
registry shares with TA-Lib, at its default parameters, over the same
~1,000,000 bars (the shared `nse_daily_yahoo` files in name order, rows with
a missing value dropped, repeated until 1M), through TA-Lib's C library via
its Python wrapper on numpy arrays. Prints the median of 7 runs of each, in
ns per bar, in the bench's order.

    pip install TA-Lib numpy
    python3 benches/indicators_talib.py
"""
import csv, glob, math, os, statistics, time

import numpy as np
import talib


def shared_dir():
    if os.environ.get('TRADING_MCP_SHARED'):
        return os.environ['TRADING_MCP_SHARED']
    d = os.path.dirname(os.path.abspath(__file__))
    while d != os.path.dirname(d):
        if os.path.isfile(os.path.join(d, 'shared/data/SOURCES.md')):
            return os.path.join(d, 'shared')
        d = os.path.dirname(d)
    raise SystemExit('cannot find shared/data/SOURCES.md; set TRADING_MCP_SHARED')


def million_bars(target=1_000_000):
    files = sorted(glob.glob(os.path.join(shared_dir(), 'data/nse_daily_yahoo/*.csv')))
    cols = [[], [], [], [], []]
    while True:
        for f in files:
            with open(f, newline='') as fh:
                for row in csv.DictReader(fh):
                    vals = []
                    for k in ('Open', 'High', 'Low', 'Close', 'Volume'):
                        v = row[k]
                        vals.append(float('nan') if v in ('', 'null') else float(v))
                    if any(math.isnan(x) for x in vals):
                        continue
                    for c, x in zip(cols, vals):
                        c.append(x)
                    if len(cols[0]) >= target:
                        return [np.array(c, dtype=float) for c in cols]


o, h, l, c, v = million_bars()
n = len(c)
calls = {
    'SMA': lambda: talib.SMA(c), 'EMA': lambda: talib.EMA(c), 'WMA': lambda: talib.WMA(c),
    'DEMA': lambda: talib.DEMA(c), 'TEMA': lambda: talib.TEMA(c), 'TRIMA': lambda: talib.TRIMA(c),
    'KAMA': lambda: talib.KAMA(c), 'T3': lambda: talib.T3(c), 'MIDPOINT': lambda: talib.MIDPOINT(c),
    'MIDPRICE': lambda: talib.MIDPRICE(h, l), 'BBANDS': lambda: talib.BBANDS(c), 'SAR': lambda: talib.SAR(h, l),
    'OBV': lambda: talib.OBV(c, v), 'AD': lambda: talib.AD(h, l, c, v), 'ADOSC': lambda: talib.ADOSC(h, l, c, v),
    'ATR': lambda: talib.ATR(h, l, c), 'NATR': lambda: talib.NATR(h, l, c), 'TRANGE': lambda: talib.TRANGE(h, l, c),
    'STDDEV': lambda: talib.STDDEV(c), 'LINEARREG': lambda: talib.LINEARREG(c),
    'LINEARREG_SLOPE': lambda: talib.LINEARREG_SLOPE(c), 'TYPPRICE': lambda: talib.TYPPRICE(h, l, c),
    'RSI': lambda: talib.RSI(c), 'MACD': lambda: talib.MACD(c), 'STOCH': lambda: talib.STOCH(h, l, c),
    'STOCHF': lambda: talib.STOCHF(h, l, c), 'STOCHRSI': lambda: talib.STOCHRSI(c), 'ADX': lambda: talib.ADX(h, l, c),
    'ADXR': lambda: talib.ADXR(h, l, c), 'DX': lambda: talib.DX(h, l, c), 'PLUS_DI': lambda: talib.PLUS_DI(h, l, c),
    'MINUS_DI': lambda: talib.MINUS_DI(h, l, c), 'CCI': lambda: talib.CCI(h, l, c), 'WILLR': lambda: talib.WILLR(h, l, c),
    'MFI': lambda: talib.MFI(h, l, c, v), 'ROC': lambda: talib.ROC(c), 'MOM': lambda: talib.MOM(c),
    'CMO': lambda: talib.CMO(c), 'PPO': lambda: talib.PPO(c, matype=1), 'APO': lambda: talib.APO(c, matype=1),
    'AROON': lambda: talib.AROON(h, l), 'AROONOSC': lambda: talib.AROONOSC(h, l),
    'ULTOSC': lambda: talib.ULTOSC(h, l, c), 'TRIX': lambda: talib.TRIX(c), 'BOP': lambda: talib.BOP(o, h, l, c),
}
print(f'{n} bars; median of 7 runs, ns per bar')
for name, f in calls.items():
    f()
    runs = []
    for _ in range(7):
        t = time.perf_counter()
        f()
        runs.append(time.perf_counter() - t)
    print(f'{name} {statistics.median(runs) * 1e9 / n:.2f}')
