def client_ip(request) -> str | None:
    # Behind the load balancer REMOTE_ADDR is the balancer; RATELIMIT_IP_META_KEY names the
    # header it sets (e.g. HTTP_X_REAL_IP), the same one the rate limiter trusts.
    from django.conf import settings

    key = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    return (request.META.get(key) or "").split(",")[0].strip() or None


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]
