#!/usr/bin/python3
"""Computes the output of freeze/tfnet_keras_lstm, Sequential(LSTM(32),
Dense(1, activation="sigmoid")) (its keras_metadata.pb), with NumPy alone,
from weights exported to .npy files.

Usage: lstm_reference.py WEIGHTS_DIR INPUT.npy OUTPUT.npy

WEIGHTS_DIR holds lstm_kernel.npy [3,128], lstm_recurrent_kernel.npy
[32,128], lstm_bias.npy [128], dense_kernel.npy [32,1] and dense_bias.npy
[1]; INPUT.npy is float32 [batch,time,3]. The LSTM is Keras's: gates in
the order i, f, c, o; sigmoid for i, f and o, tanh for the candidate and
the cell output; zero initial state; the last step's h feeds the Dense
layer, whose sigmoid gives the output. It computes in float64 and writes
float32 [batch,1].
"""
import os
import sys

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def main(weights, input_path, output_path):
    load = lambda name: np.load(os.path.join(weights, name + ".npy")).astype(np.float64)
    kernel, recurrent, bias = load("lstm_kernel"), load("lstm_recurrent_kernel"), load("lstm_bias")
    dense_kernel, dense_bias = load("dense_kernel"), load("dense_bias")
    x = np.load(input_path).astype(np.float64)
    units = recurrent.shape[0]
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    for t in range(x.shape[1]):
        z = x[:, t, :] @ kernel + h @ recurrent + bias
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        g = np.tanh(z[:, 2 * units:3 * units])
        o = sigmoid(z[:, 3 * units:])
        c = f * c + i * g
        h = o * np.tanh(c)
    np.save(output_path, sigmoid(h @ dense_kernel + dense_bias).astype(np.float32))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
