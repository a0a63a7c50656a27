"""The code page's hot path: cached page parts, scan counting and copy detection in
the cache, flushed to the database by ``flush_scans``.

A scan must be cheap (issue 3, item 11). With Redis (REDIS_URL), serving a warm scan
takes one round trip to the cache (one Lua script, SCAN_SCRIPT) and none to the
database: it counts the scan (INCR), notes the first scan time (SET NX), marks the code
dirty for the flush (SADD), adds the client (a keyed hash of IP and user agent) to this
window's set of distinct clients and reads its size, and reads the code's entry
(product, status, scan statistics as last flushed), the page generation and the
product's rendered page, which every code of the product shares.

On a miss either part is built from the database and cached. With the local-memory
cache (development, tests) the same steps use the cache API; counts then live in one
process, so a deployment with several workers must set REDIS_URL.

Invalidation: a code's entry is dropped when the code changes or its scans are
flushed; a product's page when the product, its standards or certifications, its
maker's profile, honours, good standing or credit records change (``record_changed``);
``record_changed`` for "everything" bumps the generation, orphaning every page.
"""

import datetime
import hashlib
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import Case, DateTimeField, F, PositiveBigIntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from qualityhub.core.http import client_address
from qualityhub.credit.choices import SAMPLING_KINDS

logger = logging.getLogger(__name__)

PREFIX = "qc"
UNKNOWN = {"status": "unknown"}
PENDING_TTL = 14 * 24 * 3600  # counts of codes nobody flushes (forged ones) expire


def _setting(name, default):
    return getattr(settings, name, default)


def copy_window():
    return int(_setting("CREDIT_CODE_COPY_WINDOW_SECONDS", 3600))


def copy_threshold():
    return int(_setting("CREDIT_CODE_COPY_CLIENTS", 30))


def entry_ttl():
    return int(_setting("CREDIT_CODE_CACHE_SECONDS", 3600))


def page_ttl():
    """Pages list certifications valid *today*: never keep one past midnight."""
    now = timezone.localtime()
    midnight = (now + timezone.timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
    return max(60, min(entry_ttl(), int((midnight - now).total_seconds())))


def k_entry(code):
    return f"{PREFIX}:e:{code}"


def k_pending(code):
    return f"{PREFIX}:n:{code}"


def k_first(code):
    return f"{PREFIX}:f:{code}"


def k_flag(code):
    return f"{PREFIX}:x:{code}"


def k_window(code, window):
    return f"{PREFIX}:w:{code}:{window}"


K_DIRTY = f"{PREFIX}:dirty"
K_GEN = f"{PREFIX}:gen"
K_LOCK = f"{PREFIX}:flushing"


def k_page(generation, language, product_id):
    return f"{PREFIX}:p:{generation}:{language}:{product_id}"


def client_id(request):
    return environ_client_id(request.META)


def environ_client_id(meta):
    """A short keyed hash standing for one client (IP and user agent); the address is
    never stored (core.http.client_address reads it behind a proxy too)."""
    ip = client_address(meta)
    raw = f"{ip}|{meta.get('HTTP_USER_AGENT', '')[:200]}"
    return hashlib.blake2b(raw.encode("utf-8", "replace"), digest_size=8, key=settings.SECRET_KEY[:64].encode()).hexdigest()


@dataclass
class Scan:
    entry: dict | None  # the cached code entry, None on a miss
    generation: int
    pending: int  # scans counted since the last flush, this one included
    first: float | None  # epoch of the first scan since the last flush
    distinct: int  # distinct clients in the current window
    page: str | None = None  # the product's rendered page when the cache had it


def _is_redis():
    # ``cache`` is a proxy; ask the backend behind it.
    return isinstance(caches["default"], RedisCache)


_client = (None, None, None)


def _redis():
    """This process's Redis client and the scan script. Django's backend builds a new
    client object on every call, which cost a fifth of a scan's time."""
    global _client
    backend = caches["default"]
    if _client[0] is not backend:
        client = backend._cache.get_client(write=True)
        _client = (backend, client, client.register_script(SCAN_SCRIPT))
    return _client[1], _client[2]


# One round trip per scan: count it, note the first scan and the client, and read the
# code's entry, the generation and (through the product id inside the entry, which is
# JSON) the product's page. The page key is outside KEYS, fine on a single Redis.
SCAN_SCRIPT = """
local entry = redis.call('GET', KEYS[1])
local gen = redis.call('GET', KEYS[2]) or '0'
local n = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], ARGV[2], 'NX', 'EX', ARGV[1])
local first = redis.call('GET', KEYS[4])
redis.call('SADD', KEYS[5], ARGV[3])
redis.call('SADD', KEYS[6], ARGV[4])
redis.call('EXPIRE', KEYS[6], ARGV[5])
local distinct = redis.call('SCARD', KEYS[6])
local page = false
if entry then
  local product = string.match(entry, '"product":(%d+)')
  if product then
    page = redis.call('GET', ARGV[6] .. gen .. ':' .. ARGV[7] .. ':' .. product)
  end
end
return {entry or false, gen, n, first or false, distinct, page}
"""


# --- the hot path -----------------------------------------------------------------------


def scan(code, client, language="zh-hans"):
    """Count one scan of ``code`` by ``client``; read the code's cached entry and, with
    Redis, its product's page in ``language``."""
    now = time.time()
    window = int(now // copy_window())
    if _is_redis():
        return _scan_redis(code, client, now, window, language)
    return _scan_local(code, client, now, window)


def _scan_redis(code, client, now, window, language):
    mk = cache.make_key
    _client_obj, script = _redis()
    keys = [mk(k_entry(code)), mk(K_GEN), mk(k_pending(code)), mk(k_first(code)), mk(K_DIRTY), mk(k_window(code, window))]
    page_prefix = mk(f"{PREFIX}:p:")
    entry, gen, pending, first, distinct, page = script(
        keys=keys, args=[PENDING_TTL, int(now), code, client, copy_window() * 2, page_prefix, language]
    )
    return Scan(
        entry=json.loads(entry) if entry else None,
        generation=int(gen or 0),
        pending=int(pending),
        first=float(first) if first else None,
        distinct=int(distinct),
        page=page.decode("utf-8") if page else None,
    )


def _scan_local(code, client, now, window):
    entry = cache.get(k_entry(code))
    gen = cache.get(K_GEN, 0)
    pkey = k_pending(code)
    if cache.add(pkey, 1, PENDING_TTL):
        pending = 1
    else:
        pending = cache.incr(pkey)
    cache.add(k_first(code), now, PENDING_TTL)
    first = cache.get(k_first(code))
    dirty = cache.get(K_DIRTY) or set()
    if code not in dirty:
        dirty.add(code)
        cache.set(K_DIRTY, dirty, None)
    wkey = k_window(code, window)
    if cache.add(f"{wkey}:{client}", 1, copy_window() * 2):
        if not cache.add(wkey, 1, copy_window() * 2):
            cache.incr(wkey)
    distinct = cache.get(wkey, 0)
    # The page is read separately (page_get): the local cache has no scripts.
    return Scan(entry=entry, generation=gen, pending=pending, first=first, distinct=distinct)


def flag_copied(code):
    """Remember (until the flush records it) that a code looks copied."""
    cache.set(k_flag(code), 1, PENDING_TTL)


# Entries are JSON (the scan script reads the product id in them) and pages plain
# UTF-8 in Redis; the local cache keeps the Python objects.


def entry_store(code, entry):
    if _is_redis():
        client, _script = _redis()
        client.set(cache.make_key(k_entry(code)), json.dumps(entry, separators=(",", ":")), ex=entry_ttl())
    else:
        cache.set(k_entry(code), entry, entry_ttl())


def page_get(generation, language, product_id):
    if _is_redis():
        client, _script = _redis()
        page = client.get(cache.make_key(k_page(generation, language, product_id)))
        return page.decode("utf-8") if page is not None else None
    return cache.get(k_page(generation, language, product_id))


def page_store(generation, language, product_id, page):
    if _is_redis():
        client, _script = _redis()
        client.set(cache.make_key(k_page(generation, language, product_id)), page.encode("utf-8"), ex=page_ttl())
    else:
        cache.set(k_page(generation, language, product_id), page, page_ttl())


# --- invalidation -------------------------------------------------------------------------


def forget_codes(codes):
    """Drop cached entries of these codes (status changed, scans flushed)."""
    codes = list(codes)
    for start in range(0, len(codes), 1000):
        cache.delete_many([k_entry(c) for c in codes[start : start + 1000]])


def forget_products(product_ids):
    """Drop the rendered pages of these products, in every language."""
    product_ids = [p for p in set(product_ids) if p is not None]
    if not product_ids:
        return
    gen = cache.get(K_GEN, 0)
    languages = [code for code, _name in settings.LANGUAGES]
    keys = [k_page(gen, lang, pid) for pid in product_ids for lang in languages]
    for start in range(0, len(keys), 1000):
        cache.delete_many(keys[start : start + 1000])


def forget_everything():
    """Orphan every cached page (their keys carry the old generation; they expire)."""
    try:
        cache.incr(K_GEN)
    except ValueError:
        cache.set(K_GEN, 1, None)


def forget_enterprises(enterprise_ids):
    """Drop the pages of every product of these enterprises that has codes."""
    from qualityhub.credit.models import CreditCode

    ids = list(
        CreditCode.objects.filter(enterprise_id__in=list(enterprise_ids)).values_list("product_id", flat=True).distinct()
    )
    forget_products(ids)


# --- the flush ------------------------------------------------------------------------------


def _dirty_pop(count):
    if _is_redis():
        client, _script = _redis()
        members = client.spop(cache.make_key(K_DIRTY), count) or []
        return [m.decode() if isinstance(m, bytes) else m for m in members]
    dirty = cache.get(K_DIRTY) or set()
    taken = sorted(dirty)[:count]
    rest = dirty.difference(taken)
    cache.set(K_DIRTY, rest, None)
    return taken


def _read_counts(codes):
    """The pending counts, first-scan times and copy flags of these codes (read, not
    reset: ``_settle`` subtracts what was written once it is committed, so scans
    counted meanwhile, or a failed write, lose nothing)."""
    if _is_redis():
        client, _script = _redis()
        pipe = client.pipeline(transaction=False)
        for c in codes:
            pipe.get(cache.make_key(k_pending(c)))
            pipe.get(cache.make_key(k_first(c)))
            pipe.get(cache.make_key(k_flag(c)))
        values = pipe.execute()
        rows = []
        for i, c in enumerate(codes):
            n, first, flag = values[3 * i : 3 * i + 3]
            rows.append((c, int(n or 0), float(first) if first else None, bool(flag)))
        return rows
    return [
        (c, int(cache.get(k_pending(c)) or 0), cache.get(k_first(c)), bool(cache.get(k_flag(c)))) for c in codes
    ]


def _settle(rows):
    """After the flush committed: subtract the written counts, drop the flags."""
    if _is_redis():
        client, _script = _redis()
        pipe = client.pipeline(transaction=False)
        for c, n, _first, flag in rows:
            if n:
                pipe.decrby(cache.make_key(k_pending(c)), n)
            if flag:
                pipe.delete(cache.make_key(k_flag(c)))
        pipe.execute()
        return
    for c, n, _first, flag in rows:
        if n:
            cache.decr(k_pending(c), n)
        if flag:
            cache.delete(k_flag(c))


def _mark_dirty(codes):
    if _is_redis():
        client, _script = _redis()
        client.sadd(cache.make_key(K_DIRTY), *codes)
        return
    cache.set(K_DIRTY, (cache.get(K_DIRTY) or set()) | set(codes), None)


def flush(chunk=500):
    """Write the counted scans to the database: one UPDATE per ``chunk`` codes (the
    counts added, the first scan time set once, copy flags set once), then drop the
    codes' cached entries so pages show the flushed figures. Returns (codes, scans).
    Enterprises whose codes were newly flagged as possibly copied are notified.

    One flush at a time (a lock in the cache): two flushers could both read a count
    before either subtracted it."""
    if not cache.add(K_LOCK, 1, 600):
        return 0, 0
    try:
        return _flush(chunk)
    finally:
        cache.delete(K_LOCK)


_last_flush = time.monotonic()


def flush_due():
    interval = int(_setting("CREDIT_CODE_FLUSH_SECONDS", 0))
    return interval > 0 and time.monotonic() - _last_flush >= interval


def maybe_flush(response):
    """Flush from the web process every CREDIT_CODE_FLUSH_SECONDS (0: never), after
    the response has been sent. With the local-memory cache each process holds its
    own counts, so only it can flush them; with Redis this spares a cron job."""
    global _last_flush
    if not flush_due():
        return
    _last_flush = time.monotonic()
    response._resource_closers.append(_flush_quietly)


def _flush_quietly():
    # Runs as the response closes: a failure is logged (and the counts stay in the
    # cache for the next flush), never turned into an error for this scan.
    try:
        flush()
    except Exception:
        logger.exception("Flushing credit code scans failed; the counts stay in the cache.")


def _flush(chunk):
    total_codes = total_scans = 0
    while True:
        codes = _dirty_pop(chunk)
        if not codes:
            break
        rows = [r for r in _read_counts(codes) if r[1] or r[3]]
        try:
            _write(rows)
        except Exception:
            _mark_dirty(codes)  # counted again by the next flush
            raise
        _settle(rows)
        total_scans += sum(r[1] for r in rows)
        total_codes += len(codes)
        forget_codes(codes)
    return total_codes, total_scans


def _write(rows):
    """One UPDATE for the counts and first-scan times of these codes (the first scan
    time is set once), one for new copy flags, in one transaction."""
    from qualityhub.credit.models import CreditCode

    if not rows:
        return
    now = timezone.now()
    flagged = [c for c, _n, _f, flag in rows if flag]
    firsts = [When(code=c, then=Value(datetime.datetime.fromtimestamp(f, tz=datetime.timezone.utc))) for c, _n, f, _x in rows if f]
    with transaction.atomic():
        CreditCode.objects.filter(code__in=[r[0] for r in rows]).update(
            scan_count=F("scan_count")
            + Case(*[When(code=c, then=Value(n)) for c, n, _f, _x in rows], default=Value(0),
                   output_field=PositiveBigIntegerField()),
            first_scanned_at=Coalesce(
                F("first_scanned_at"), Case(*firsts, default=Value(None), output_field=DateTimeField())
            ),
        )
        if flagged:
            newly = CreditCode.objects.filter(code__in=flagged, copy_flagged_at__isnull=True)
            _notify_copied(list(newly.values_list("enterprise_id", "product__name", "code")))
            newly.update(copy_flagged_at=now)


def _notify_copied(rows):
    """Tell each maker once that a code of theirs looks copied (a hundred at most per
    flush: a mass copy is one incident, not a flood of messages)."""
    from django.utils.translation import gettext as _

    from qualityhub.core.models import Notification

    Notification.objects.bulk_create(
        [
            Notification(
                organisation_id=enterprise_id,
                title=_("信用码疑似被复制：%(product)s") % {"product": product_name},
                body=_("信用码 %(code)s 在短时间内被大量不同设备扫描，可能已被复制。请核查，必要时注销该码。") % {"code": code},
            )
            for enterprise_id, product_name, code in rows[:100]
        ]
    )


# --- what drops cached parts -----------------------------------------------------------------


def _later(function, *args):
    transaction.on_commit(lambda: function(*args))


def _on_code_saved(sender, instance, **kwargs):
    _later(forget_codes, [instance.code])


def _on_product_saved(sender, instance, **kwargs):
    _later(forget_products, [instance.pk])


def _on_product_part_saved(sender, instance, **kwargs):
    _later(forget_products, [instance.product_id])


def _on_organisation_saved(sender, instance, **kwargs):
    if instance.kind == "enterprise":  # only enterprises make products
        _later(forget_enterprises, [instance.pk])


def _on_profile_saved(sender, instance, **kwargs):
    _later(forget_enterprises, [instance.organisation_id])


def _on_standing_saved(sender, instance, **kwargs):
    _later(forget_enterprises, [instance.subject_id])


def _on_honours_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a tag changed from its side: the profiles are in pk_set
        if pk_set:
            _later(forget_enterprises, list(pk_set))
    else:
        _later(forget_enterprises, [instance.pk])


def _on_record_saved(sender, instance, **kwargs):
    if instance.kind in SAMPLING_KINDS:
        _later(forget_enterprises, [instance.subject_id])


def _on_record_changed(sender, subject_ids=None, **kwargs):
    # Sent after commit already.
    if subject_ids is None:
        forget_everything()
    else:
        forget_enterprises(subject_ids)


def connect_signals():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from qualityhub.accounts.models import Organisation
    from qualityhub.credit.models import CreditCode, CreditRecord, GoodStanding
    from qualityhub.credit.signals import record_changed
    from qualityhub.registry.models import Certification, EnterpriseProfile, Product, ProductStandard

    uid = "qualityhub_credit_codes_"
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_on_code_saved, sender=CreditCode, dispatch_uid=f"{uid}code_{name}")
        signal.connect(_on_product_saved, sender=Product, dispatch_uid=f"{uid}product_{name}")
        signal.connect(_on_product_part_saved, sender=ProductStandard, dispatch_uid=f"{uid}standard_{name}")
        signal.connect(_on_product_part_saved, sender=Certification, dispatch_uid=f"{uid}cert_{name}")
        signal.connect(_on_profile_saved, sender=EnterpriseProfile, dispatch_uid=f"{uid}profile_{name}")
        signal.connect(_on_standing_saved, sender=GoodStanding, dispatch_uid=f"{uid}standing_{name}")
        signal.connect(_on_record_saved, sender=CreditRecord, dispatch_uid=f"{uid}record_{name}")
    post_save.connect(_on_organisation_saved, sender=Organisation, dispatch_uid=f"{uid}organisation_save")
    m2m_changed.connect(_on_honours_changed, sender=EnterpriseProfile.honours.through, dispatch_uid=f"{uid}honours")
    record_changed.connect(_on_record_changed, dispatch_uid=f"{uid}record_changed")
