package sandbox_test

import (
	"testing"

	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/sandbox/storetest"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) sandbox.Store { return sandbox.NewMemoryStore() })
}
