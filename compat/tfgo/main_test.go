package tfgo

import (
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/compattest"
)

func TestMain(m *testing.M) { compattest.Main(m) }
