"""Whole-process DOTA devkit task-1 evaluation (dota_evaluation_task1.voc_eval, 11-point VOC07
as the devkit's main(), IoU 0.5) over the bench's labelTxt/ + Task1_<class>.txt files.
Usage: python3 dota_devkit_task1.py <labelTxt dir> <dets dir> <imageset file> <class,class,...>"""
import json
import os
import sys

from dota_evaluation_task1 import voc_eval

label_dir, det_dir, imageset, classes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(',')
aps = []
for c in classes:
    _, _, ap = voc_eval(os.path.join(det_dir, 'Task1_{:s}.txt'), os.path.join(label_dir, '{:s}.txt'),
                        imageset, c, ovthresh=0.5, use_07_metric=True)
    aps.append(float(ap))
print(json.dumps({"tool": "DOTA devkit task1", "mAP": sum(aps) / len(aps), "classAPs": aps}))
