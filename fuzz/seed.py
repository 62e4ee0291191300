"""Writes the eval fixtures' inputs as a seed corpus for the `eval` fuzz target."""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent
corpus = pathlib.Path(sys.argv[1])
corpus.mkdir(parents=True, exist_ok=True)
selectors = {"charge": 0, "aggregation": 1, "period": 2}
written = 0
for contract, selector in selectors.items():
    for path in sorted((root / "tests/fixtures/eval" / contract).glob("*.json")):
        for i, case in enumerate(json.loads(path.read_text())["cases"]):
            seed = bytes([selector]) + json.dumps(case["input"]).encode()
            (corpus / f"{contract}-{path.stem}-{i}").write_bytes(seed)
            written += 1
print(f"seeded {written} inputs into {corpus}")
