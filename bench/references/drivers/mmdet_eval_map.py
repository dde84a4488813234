"""Whole-process mmdet `eval_map` (VOC all-point "area", IoU 0.5, Pool of 2) on the bench's COCO
files: reads gt.json / dets.json with the json module, builds eval_map's per-image arrays
(classes in category order, xyxy float32, detections in file order) and evaluates.
Usage: python3 mmdet_eval_map.py <gt.json> <dets.json>   (prints one JSON line)"""
import json
import sys

import numpy as np
from mmdet_functional import eval_map

gt_file, dt_file = sys.argv[1], sys.argv[2]
with open(gt_file) as f:
    gt = json.load(f)
with open(dt_file) as f:
    dets = json.load(f)
cat_index = {c['id']: i for i, c in enumerate(gt['categories'])}
num_classes = len(cat_index)
img_index = {im['id']: i for i, im in enumerate(gt['images'])}
n = len(img_index)

gt_boxes = [[] for _ in range(n)]
gt_labels = [[] for _ in range(n)]
for a in gt['annotations']:
    x, y, w, h = a['bbox']
    i = img_index[a['image_id']]
    gt_boxes[i].append([x, y, x + w, y + h])
    gt_labels[i].append(cat_index[a['category_id']])
annotations = [{'bboxes': np.array(b, dtype=np.float32).reshape(-1, 4), 'labels': np.array(l, dtype=np.int64)}
               for b, l in zip(gt_boxes, gt_labels)]

per = [[[] for _ in range(num_classes)] for _ in range(n)]
for d in dets:
    x, y, w, h = d['bbox']
    per[img_index[d['image_id']]][cat_index[d['category_id']]].append([x, y, x + w, y + h, d['score']])
det_results = [[np.array(c, dtype=np.float32).reshape(-1, 5) for c in img] for img in per]

mean_ap, _ = eval_map(det_results, annotations, iou_thr=0.5, nproc=2, logger='silent', eval_mode='area')
print(json.dumps({"tool": "mmdet eval_map", "mAP": float(mean_ap)}))
