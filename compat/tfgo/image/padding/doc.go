// Package padding is tfgo's image/padding: the padding kinds of the
// image package's convolutions.
package padding
