"""Parses Prometheus text on stdin with the Prometheus project's own Python client parser (Debian package
python3-prometheus-client), so that the agent's writer is not the judge of its own output, and prints one
tab-separated line per sample: family, type, sample name, labels (sorted k=v, comma-separated), value.
Exits non-zero when the parser rejects the text. Used by MetricsSmokeTest."""
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        labels = ",".join(k + "=" + v for k, v in sorted(sample.labels.items()))
        print("\t".join([family.name, family.type, sample.name, labels, repr(float(sample.value))]))
