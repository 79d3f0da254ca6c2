// Package filter is tfgo's image/filter: constant convolution kernels.
package filter
