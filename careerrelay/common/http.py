def client_ip(request) -> str | None:
    # Behind the load balancer REMOTE_ADDR is the balancer; RATELIMIT_IP_META_KEY names the
    # header it sets (e.g. HTTP_X_REAL_IP), the same one the rate limiter trusts.
    from django.conf import settings

    key = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    return (request.META.get(key) or "").split(",")[0].strip() or None


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]


# A page beyond this holds nothing anyway, and (page - 1) * per_page still fits an SQL OFFSET.
MAX_PAGE = 100_000
DB_INT_MAX = 2**63 - 1


def page_number(value) -> int:
    """?page= as typed in an address bar: anything that is not a page number is page 1, and
    9223372036854775808 is the last page we count to (PostgreSQL refuses such an OFFSET)."""
    try:
        number = int(str(value or "1").strip())
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def object_id(value) -> int | None:
    """An id from a query string, or None when it cannot be one (letters, NUL, beyond 64 bits)."""
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if 1 <= number <= DB_INT_MAX else None
