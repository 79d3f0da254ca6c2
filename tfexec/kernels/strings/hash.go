package strings

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	farm "github.com/dgryski/go-farm"

	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newHashBucketFast prepares StringToHashBucketFast (input a string
// tensor; attribute num_buckets >= 1): each string's farmhash
// Fingerprint64 modulo num_buckets, as int64.
func newHashBucketFast(n *kernel.Node) (kernel.Kernel, error) {
	return bucketKernel(n, func(s string) uint64 { return farm.Fingerprint64([]byte(s)) })
}

// bucketKernel maps each string to hash(s) modulo the num_buckets
// attribute, as int64.
func bucketKernel(n *kernel.Node, hash func(string) uint64) (kernel.Kernel, error) {
	buckets, err := n.Attrs.Int("num_buckets", 0)
	if err != nil {
		return nil, n.AttrError("num_buckets", err)
	}
	if buckets < 1 {
		return nil, n.AttrError("num_buckets", fmt.Errorf("%d is less than 1", buckets))
	}
	return stringMap(n, func(s string) int64 { return int64(hash(s) % uint64(buckets)) }), nil
}

// newHashBucketStrong prepares StringToHashBucketStrong: SipHash-2-4 (as
// HighwayHash's SipHash, which TensorFlow calls) keyed with the two
// int64s of the key attribute.
func newHashBucketStrong(n *kernel.Node) (kernel.Kernel, error) {
	key, err := n.Attrs.Ints("key", nil)
	if err != nil {
		return nil, n.AttrError("key", err)
	}
	if len(key) != 2 {
		return nil, n.AttrError("key", fmt.Errorf("%w: Key must have 2 elements", kernel.ErrInvalidArgument))
	}
	k0, k1 := uint64(key[0]), uint64(key[1])
	return bucketKernel(n, func(s string) uint64 { return sipHash24(k0, k1, s) })
}

// newHashBucket prepares StringToHashBucket, the deprecated op, which
// hashes with TensorFlow's own Hash64 (tensorflow/core/lib/hash/hash.cc).
func newHashBucket(n *kernel.Node) (kernel.Kernel, error) {
	return bucketKernel(n, func(s string) uint64 { return hash64(s, 0xDECAFCAFFE) })
}

// hash64 is tensorflow/core/lib/hash/hash.cc's Hash64, a MurmurHash64A.
func hash64(s string, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(s)) * m)
	for len(s) >= 8 {
		k := binary.LittleEndian.Uint64([]byte(s[:8]))
		s = s[8:]
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if len(s) > 0 {
		for i := len(s) - 1; i >= 0; i-- {
			h ^= uint64(s[i]) << (8 * i)
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// sipHash24 is SipHash-2-4 of s under the key (k0, k1).
func sipHash24(k0, k1 uint64, s string) uint64 {
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	n := len(s)
	for len(s) >= 8 {
		m := binary.LittleEndian.Uint64([]byte(s[:8]))
		s = s[8:]
		v3 ^= m
		round()
		round()
		v0 ^= m
	}
	last := uint64(n) << 56
	for i := range len(s) {
		last |= uint64(s[i]) << (8 * i)
	}
	v3 ^= last
	round()
	round()
	v0 ^= last
	v2 ^= 0xff
	for range 4 {
		round()
	}
	return v0 ^ v1 ^ v2 ^ v3
}
