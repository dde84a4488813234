"""Whole-process pycocotools run on the bench's files: COCO() + loadRes + evaluate + accumulate.
Usage: python3 pycocotools_bbox.py <gt.json> <dets.json>   (prints one JSON line)
Imports the pycocotools that bench/references/install-references.sh built (PYTHONPATH)."""
import contextlib
import io
import json
import sys

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

gt_file, dt_file = sys.argv[1], sys.argv[2]
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(gt_file)
    dt = gt.loadRes(dt_file)
    ev = COCOeval(gt, dt, 'bbox')
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
print(json.dumps({"tool": "pycocotools", "mAP": float(ev.stats[0]), "AP50": float(ev.stats[1])}))
