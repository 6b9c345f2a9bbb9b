TIERS = ("standard", "archive")


def bucket_name(tier: str) -> str:
    if tier not in TIERS:
        raise ValueError(f"storage tier {tier!r} is not one of {', '.join(TIERS)}")
    return f"records-{tier}"
