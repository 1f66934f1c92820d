"""VRRP timers as redkeep computes them (net/vrrp/timing.cpp), for every lab script: RFC 3768
and RFC 5798 section 6.1, truncated to whole microseconds as keepalived does. Seconds in,
seconds out; `version` is 2 or 3, `advert_int` the configured Advertisement_Interval (for v3 the
Master_Adver_Interval a backup learned; v2 routers all use their own)."""


def _us(seconds):
    return round(float(seconds) * 1_000_000)


def skew_time(version, priority, advert_int):
    """Skew_Time: v2 (256 - priority) / 256 s, v3 (256 - priority) x Master_Adver_Interval / 256."""
    unit = 1_000_000 if int(version) == 2 else _us(advert_int)
    return ((256 - priority) * unit // 256) / 1e6


def master_down_interval(version, priority, advert_int):
    """Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time."""
    return (3 * _us(advert_int) + _us(skew_time(version, priority, advert_int))) / 1e6
