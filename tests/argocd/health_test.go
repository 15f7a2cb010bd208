// Runs docs/argocd/health.lua the way Argo CD runs a resource health check: in
// gopher-lua with only the safe standard libraries open, the live object as the
// global `obj`, and the returned table read as {status, message}. Each file in
// testdata/ is a recorded ModelEndpoint with the health it must get.
package health

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

type expectation struct {
	Status          string `json:"status"`
	MessageContains string `json:"messageContains"`
}

type fixture struct {
	Expect expectation     `json:"expect"`
	Object json.RawMessage `json:"object"`
}

type health struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

var validStatuses = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true}

func scriptPath() string {
	if p := os.Getenv("HEALTH_LUA"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "docs", "argocd", "health.lua")
}

func evaluate(t *testing.T, script string, object json.RawMessage) health {
	t.Helper()
	var decoded interface{}
	if err := json.Unmarshal(object, &decoded); err != nil {
		t.Fatalf("fixture object: %v", err)
	}
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	// The libraries Argo CD opens for health scripts.
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
	} {
		l.Push(l.NewFunction(lib.fn))
		l.Push(lua.LString(lib.name))
		l.Call(1, 0)
	}
	l.SetGlobal("obj", toLua(l, decoded))
	if err := l.DoString(script); err != nil {
		t.Fatalf("health.lua failed: %v", err)
	}
	table, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("health.lua returned %s, not a table", l.Get(-1).Type())
	}
	var got health
	if v, ok := table.RawGetString("status").(lua.LString); ok {
		got.Status = string(v)
	}
	if v, ok := table.RawGetString("message").(lua.LString); ok {
		got.Message = string(v)
	}
	return got
}

// toLua converts decoded JSON as Argo CD does: objects become tables with string
// keys, arrays become tables indexed from 1, numbers become Lua numbers.
func toLua(l *lua.LState, value interface{}) lua.LValue {
	switch v := value.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []interface{}:
		table := l.NewTable()
		for _, item := range v {
			table.Append(toLua(l, item))
		}
		return table
	case map[string]interface{}:
		table := l.NewTable()
		for key, item := range v {
			table.RawSetString(key, toLua(l, item))
		}
		return table
	}
	panic("unexpected JSON value")
}

func TestRecordedObjects(t *testing.T) {
	script, err := os.ReadFile(scriptPath())
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata/: %v", err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		file := file
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var f fixture
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			got := evaluate(t, string(script), f.Object)
			if !validStatuses[got.Status] {
				t.Fatalf("status %q is not one Argo CD knows", got.Status)
			}
			if got.Status != f.Expect.Status {
				t.Errorf("status = %q (message %q), want %q", got.Status, got.Message, f.Expect.Status)
			}
			if !strings.Contains(got.Message, f.Expect.MessageContains) {
				t.Errorf("message = %q, want it to contain %q", got.Message, f.Expect.MessageContains)
			}
			seen[f.Expect.Status] = true
		})
	}
	for _, status := range []string{"Healthy", "Progressing", "Degraded", "Suspended"} {
		if !seen[status] {
			t.Errorf("no fixture expects %s", status)
		}
	}
}
