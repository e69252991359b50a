"""Train the face detector shipped inside cnnlab (``cnnlab/data/faces.weights.npz``).

Run ``python scripts/train_face_detector.py`` from the repository root. It
calls ``cnnlab.detection.build_face_detector`` (the faces of
``datasets.load_faces`` against their background patches, random windows and
two rounds of hard negatives mined from the face-free photos bundled with
scikit-image; no photo of a person is used for training), checks it on the
astronaut photo against MTCNN's box, refuses to save a detector whose best
box has IoU under 0.5 or that has more than 2 false positives, and saves the
classifier's weights only (``training.save_weights``), which any supported Keras reads. About a
minute on two CPU cores. ``detection.load_face_detector()`` builds the network and loads them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from cnnlab import detection, images, training

MIN_IOU = 0.5
MAX_FALSE_POSITIVES = 2


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of hard-negative mining (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=detection.faces.face_detector_path())
    return parser.parse_args(argv)


def check_on_astronaut(one_pass):
    """IoU of the detector's best box with MTCNN's box on the astronaut, and its false positives."""
    photo = images.load("astronaut")
    reference, _scores, _landmarks = detection.pretrained_faces(photo)
    boxes, _votes = detection.detect_faces(one_pass, photo)
    if not len(boxes) or not len(reference):
        return 0.0, len(boxes)
    ious = detection.iou_matrix(boxes, reference[:1])[:, 0]
    return float(ious[0]), int((ious < MIN_IOU).sum())


def main(argv=None) -> int:
    args = parse_args(argv)
    built = detection.build_face_detector(rounds=args.rounds, seed=args.seed)
    seconds = sum(r["seconds"] for r in built.rounds)
    best, false_positives = check_on_astronaut(built.one_pass)
    print(f"{args.rounds} mining rounds, seed {args.seed}: fit {seconds:.1f} s; on the astronaut: "
          f"best box IoU with MTCNN {best:.2f}, false positives {false_positives}")
    if best < MIN_IOU or false_positives > MAX_FALSE_POSITIVES:
        print(f"not saved: needs IoU >= {MIN_IOU} and at most {MAX_FALSE_POSITIVES} false positives",
              file=sys.stderr)
        return 1
    training.save_weights(built.classifier, args.output)
    if args.output == detection.faces.face_detector_path():
        _classifier, one_pass = detection.faces.load_face_detector()
        assert check_on_astronaut(one_pass) == (best, false_positives)
    print(f"saved {args.output} ({args.output.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
