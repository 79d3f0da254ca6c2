#!/usr/bin/env python3
"""Writes colorsys.txt: RGB pixels and their HSV as Python's colorsys
computes them, the independent reference of TestColorspaceAgainstColorsys.

Run from this folder: python3 hsv_reference.py > colorsys.txt
"""
import colorsys

levels = [0, 1, 37, 128, 200, 255]
print("# r g b h s v  (colorsys.rgb_to_hsv of r, g, b = level/255)")
for r in levels:
    for g in levels:
        for b in levels:
            rgb = (r / 255, g / 255, b / 255)
            hsv = colorsys.rgb_to_hsv(*rgb)
            print(" ".join(repr(x) for x in rgb + hsv))
# a few pixels off the grid
for rgb in [(0.3, 0.3, 0.9), (0.9, 0.9, 0.1), (0.25, 0.75, 0.5), (1.0, 0.0, 0.5)]:
    hsv = colorsys.rgb_to_hsv(*rgb)
    print(" ".join(repr(x) for x in rgb + hsv))
