"""The import's phone normalisation, timed on its own: E.164 from the forms people type."""

from __future__ import annotations

from crm_host.bench.figures import Figure, timer


def typed_phones(count: int) -> list[str]:
    """``count`` distinct mobile numbers, a third each as E.164, national and with the
    trunk 0 (``+8613900000000``, ``13900000001``, ``013900000002``)."""
    forms = ("+86139{:08d}", "139{:08d}", "0139{:08d}")
    return [forms[i % 3].format(i) for i in range(count)]


def bench_phone_normalisation(rows: int) -> Figure:
    """The phone rule's column check (E.164 kept as is, others parsed once each) against
    parsing every value with phonenumbers."""
    import phonenumbers

    from crm_host.core.phones import DEFAULT_REGION
    from crm_host.domain.customers.rules import RULES

    typed = typed_phones(rows)
    check = RULES["phone"].column
    assert check is not None
    with timer() as elapsed:
        ours = check(typed)
    ours_seconds = elapsed()
    e164 = phonenumbers.PhoneNumberFormat.E164
    with timer() as elapsed:
        theirs = [
            phonenumbers.format_number(phonenumbers.parse(t, DEFAULT_REGION), e164) for t in typed
        ]
    baseline_seconds = elapsed()
    if ours != theirs:
        raise RuntimeError("the phone rule and phonenumbers disagree on the benchmark's numbers")
    return Figure(
        "import",
        f"phone numbers normalised to E.164 ({rows:,}, a third already E.164)",
        "numbers/s",
        rows / max(ours_seconds, 1e-9),
        rows / max(baseline_seconds, 1e-9),
        "phonenumbers.parse of every value",
    )
