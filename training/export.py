"""Re-make a checkpoint's int8 ONNX export beside its weights (the shipped model's default backend).

    python -m training.export models/attrib-minilm

Deterministic: the same weights and calibration sentences give the same bytes. `training.train`
runs this on every checkpoint it finishes; run it by hand after changing the export recipe.
"""

from __future__ import annotations

import argparse

from attrib.export import export_onnx


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("checkpoint")
    args = parser.parse_args()
    print(f"wrote {export_onnx(args.checkpoint, args.checkpoint)}")


if __name__ == "__main__":
    main()
