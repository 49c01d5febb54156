# The screen of benches/expr.rs done with TA-Lib's Python wrapper, for the
# comparison figure: rsi(14) < 30 and close > sma(200) at the last of 500
# daily bars of the 50 NIFTY 50 stocks in ../shared/data/nse_daily_upstox,
# CSVs already in memory. Run: python3 benches/screen_talib.py
import glob, os, timeit, statistics
import pandas as pd, numpy as np, talib

def shared_dir():
    # As tests/shared_data: TRADING_MCP_SHARED, else the first ancestor's shared/.
    if os.environ.get('TRADING_MCP_SHARED'):
        return os.environ['TRADING_MCP_SHARED']
    d = os.path.dirname(os.path.abspath(__file__))
    while d != os.path.dirname(d):
        if os.path.isfile(os.path.join(d, 'shared/data/SOURCES.md')):
            return os.path.join(d, 'shared')
        d = os.path.dirname(d)
    raise SystemExit('cannot find shared/data/SOURCES.md; set TRADING_MCP_SHARED')

SHARED = shared_dir()
frames = [pd.read_csv(f).tail(500) for f in sorted(glob.glob(os.path.join(SHARED, 'data/nse_daily_upstox/*.csv')))]
closes = [np.ascontiguousarray(df['close'].to_numpy(dtype=float)) for df in frames]
def screen_numpy():
    out = []
    for c in closes:
        rsi = talib.RSI(c, 14); sma = talib.SMA(c, 200)
        out.append((rsi[-1] < 30 and c[-1] > sma[-1], rsi[-1], c[-1], sma[-1]))
    return out
def screen_pandas():
    out = []
    for df in frames:
        rsi = talib.RSI(df['close'], 14); sma = talib.SMA(df['close'], 200)
        out.append((rsi.iloc[-1] < 30 and df['close'].iloc[-1] > sma.iloc[-1]))
    return out
assert len(closes) == 50
for name, f in [('numpy arrays', screen_numpy), ('pandas Series', screen_pandas)]:
    runs = [min(timeit.repeat(f, number=20, repeat=1)) / 20 for _ in range(7)]
    print(f"{name}: median {statistics.median(runs)*1e6:.0f} us per 50-stock screen")
