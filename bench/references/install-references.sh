#!/usr/bin/env bash
# Installs the three reference evaluators the side-by-side bench runs, from their public
# sources, into a cache folder OUTSIDE the repository (nothing here is ever committed):
#
#   bench/references/install-references.sh <source-root> [cache-dir]
#
# <source-root> holds one checkout (or sparse copy) of each reference:
#   <source-root>/cocoapi        github.com/cocodataset/cocoapi        (PythonAPI/pycocotools + common/)
#   <source-root>/DOTA_devkit    github.com/CAPTAIN-WHU/DOTA_devkit    (dota_evaluation_task1.py, polyiou.*)
#   <source-root>/mmdetection    github.com/open-mmlab/mmdetection     (mmdet/evaluation/functional/{mean_ap,bbox_overlaps}.py)
# [cache-dir] defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/babelrs/references.
#
# Needs Debian's python3 with numpy, and to build pycocotools / polyiou: python3-dev, cython3,
# swig, g++ (apt-get install python3-numpy python3-dev cython3 swig g++).
#
# Two edits are applied to the copies, both printed and recorded in <cache>/PATCHES.txt:
#  - every `np.argsort(-scores)` in mmdet and the devkit becomes `kind='stable'`: numpy's default
#    quicksort orders tied scores arbitrarily (see ../shared/DESIGN.md and the metrics-cases
#    README §2), so without it no two evaluators agree on tied scores. pycocotools already
#    sorts with mergesort (stable).
#  - the devkit's `np.bool` (removed in NumPy 1.24) becomes `bool`, its unused matplotlib import
#    is dropped, and its per-class debug prints of whole tp/fp arrays go to /dev/null.
# mmdet's `mmengine.logging.print_log`, `mmengine.utils.is_str` and `terminaltables` are
# replaced by one-line shims (eval_map only calls them to print its summary table).
set -euo pipefail
src=${1:?usage: install-references.sh <source-root> [cache-dir]}
cache=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/babelrs/references}
py=${PYTHON:-/usr/bin/python3}
src=$(cd "$src" && pwd)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
patches="$cache/PATCHES.txt"
: > "$patches"
note() { echo "install-references: $*"; echo "$*" >> "$patches"; }

# --- pycocotools: build the Cython extension from PythonAPI/ -----------------------------
if [ -d "$src/cocoapi/PythonAPI" ]; then
  rm -rf "$cache/cocoapi"
  mkdir -p "$cache/cocoapi"
  cp -r "$src/cocoapi/PythonAPI" "$src/cocoapi/common" "$cache/cocoapi/"
  ( cd "$cache/cocoapi/PythonAPI" && "$py" setup.py build_ext --inplace > "$cache/pycocotools-build.log" 2>&1 ) \
    || { echo "install-references: pycocotools build failed, see $cache/pycocotools-build.log" >&2; exit 1; }
  note "pycocotools: built from $src/cocoapi/PythonAPI (unmodified)"
else
  echo "install-references: no $src/cocoapi/PythonAPI; pycocotools skipped" >&2
fi

# --- DOTA devkit task 1: polyiou (SWIG) + dota_evaluation_task1.py ------------------------
if [ -f "$src/DOTA_devkit/dota_evaluation_task1.py" ]; then
  d="$cache/DOTA_devkit"
  rm -rf "$d"
  mkdir -p "$d"
  cp "$src/DOTA_devkit/polyiou.cpp" "$src/DOTA_devkit/polyiou.h" "$src/DOTA_devkit/polyiou.i" "$src/DOTA_devkit/setup.py" "$d/"
  ( cd "$d" && swig -c++ -python polyiou.i && "$py" setup.py build_ext --inplace > "$cache/polyiou-build.log" 2>&1 ) \
    || { echo "install-references: polyiou build failed, see $cache/polyiou-build.log" >&2; exit 1; }
  sed -e 's/np\.argsort(-confidence)/np.argsort(-confidence, kind="stable")/' \
      -e 's/\.astype(np\.bool)/.astype(bool)/' \
      -e 's/^import matplotlib.pyplot as plt$/# import matplotlib.pyplot as plt  (unused; removed by install-references.sh)/' \
      -e "s/^\(\s*\)print('check fp:', fp)/\1pass  # print('check fp:', fp)/" \
      -e "s/^\(\s*\)print('check tp', tp)/\1pass  # print('check tp', tp)/" \
      -e "s/^\(\s*\)print('npos num:', npos)/\1pass  # print('npos num:', npos)/" \
      "$src/DOTA_devkit/dota_evaluation_task1.py" > "$d/dota_evaluation_task1.py"
  grep -q 'kind="stable"' "$d/dota_evaluation_task1.py" || { echo "install-references: could not make the devkit's sort stable" >&2; exit 1; }
  note "DOTA devkit: polyiou built with swig; dota_evaluation_task1.py: argsort kind=stable, np.bool->bool, matplotlib import and debug prints removed"
else
  echo "install-references: no $src/DOTA_devkit/dota_evaluation_task1.py; DOTA devkit skipped" >&2
fi

# --- mmdet eval_map: the two functional modules + shims for its logging imports ----------
f="$src/mmdetection/mmdet/evaluation/functional"
if [ -f "$f/mean_ap.py" ]; then
  m="$cache/mmdet_eval"
  rm -rf "$m"
  mkdir -p "$m/mmdet_functional" "$m/mmengine" "$m/terminaltables"
  cp "$f/bbox_overlaps.py" "$m/mmdet_functional/"
  sed -e 's/np\.argsort(-det_bboxes\[:, -1\])/np.argsort(-det_bboxes[:, -1], kind="stable")/' \
      -e 's/np\.argsort(-cls_dets\[:, -1\])/np.argsort(-cls_dets[:, -1], kind="stable")/' \
      -e 's/^from \.class_names import get_classes$/get_classes = None  # (dataset class names: unused here)/' \
      "$f/mean_ap.py" > "$m/mmdet_functional/mean_ap.py"
  [ "$(grep -c 'kind="stable"' "$m/mmdet_functional/mean_ap.py")" -ge 2 ] || { echo "install-references: could not make mmdet's sorts stable" >&2; exit 1; }
  echo "from .mean_ap import eval_map" > "$m/mmdet_functional/__init__.py"
  mkdir -p "$m/mmengine/logging" "$m/mmengine/utils"
  echo "" > "$m/mmengine/__init__.py"
  echo "def print_log(msg, logger=None, level=None):
    if logger != 'silent': print(msg)" > "$m/mmengine/logging/__init__.py"
  echo "def is_str(x): return isinstance(x, str)" > "$m/mmengine/utils/__init__.py"
  echo "class AsciiTable:
    def __init__(self, data): self.table = '\n'.join(' '.join(map(str, r)) for r in data)" > "$m/terminaltables/__init__.py"
  note "mmdet eval_map: mean_ap.py + bbox_overlaps.py from $f; argsort kind=stable (2 places); class_names import dropped; mmengine/terminaltables shims"
else
  echo "install-references: no $f/mean_ap.py; mmdet eval_map skipped" >&2
fi

echo "install-references: installed into $cache"
