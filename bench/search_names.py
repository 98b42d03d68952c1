"""What a name search costs in intake's service layer (service_layer/search.py): decrypt every name of one office
(Fernet, as at rest) and match the query. No database: the rows' fetch is measured by bench/intake_latency.py.

    python -m bench.search_names [households]
"""

from __future__ import annotations

import statistics
import sys
import time

from cryptography.fernet import Fernet

from kit import clock
from services.intake.adapters.identity import IdentityProtector
from services.intake.domain import search

FIRST = ("Kari", "Ola", "Håkon", "Ingrid", "Nils", "Signe", "Aisha", "Jonas", "Marte", "Ahmed")
LAST = ("Nordmann", "Hansen", "Johansen", "Berg", "Dæhli", "Ås", "Karlsen", "Olsen", "Haugen", "Bakke")


def main(households: int = 3000, rounds: int = 20) -> None:
    protector = IdentityProtector([Fernet.generate_key().decode()], "bench")
    tokens = [protector.encrypt(f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} {i}") for i in range(households)]
    query = search.parse_query("ingrid ber")
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        found = [t for t in tokens if search.name_matches(query, protector.decrypt(t))]
        times.append((time.perf_counter() - started) * 1000)
    print(f"{households} households, {len(found)} found: p50 {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms ({rounds} rounds, {clock.today()})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
