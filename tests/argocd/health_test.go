// Runs docs/argocd/health.lua through Argo CD itself: the argo-cd module's settings
// manager reads it from an argocd-cm under the key docs/argocd/README.md installs,
// and the health check the application controller calls (gitops-engine's
// health.GetResourceHealth with util/lua's ResourceHealthOverrides) evaluates it
// on each recorded ModelEndpoint in testdata/. Nothing here re-implements Argo CD:
// the libraries open to the script, the `obj` global and the reading of the
// returned table are Argo CD's own.
package health

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/health"
	argolua "github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/argo-cd/v3/util/settings"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"
)

// The argocd-cm key docs/argocd/README.md tells users to set. No
// resource.customizations.useOpenLibs key goes with it, so Argo CD opens only its
// base, table, package and safe os libraries to the script.
const healthKey = "resource.customizations.health.serving.endpoint-operator.io_ModelEndpoint"

type expectation struct {
	Status          string `json:"status"`
	MessageContains string `json:"messageContains"`
}

type fixture struct {
	Expect expectation     `json:"expect"`
	Object json.RawMessage `json:"object"`
}

func scriptPath() string {
	if p := os.Getenv("HEALTH_LUA"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "docs", "argocd", "health.lua")
}

// overrides reads the resource customizations the way Argo CD does: from an
// argocd-cm (labelled as Argo CD's install labels it) through its settings manager.
func overrides(t *testing.T, script string) argolua.ResourceHealthOverrides {
	t.Helper()
	labels := map[string]string{"app.kubernetes.io/part-of": "argocd"}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "argocd-cm", Namespace: "argocd", Labels: labels},
		Data:       map[string]string{healthKey: script},
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "argocd-secret", Namespace: "argocd", Labels: labels}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	got, err := settings.NewSettingsManager(ctx, fake.NewClientset(cm, secret), "argocd").GetResourceOverrides()
	if err != nil {
		t.Fatalf("argocd-cm: %v", err)
	}
	return argolua.ResourceHealthOverrides(got)
}

func TestRecordedObjects(t *testing.T) {
	script, err := os.ReadFile(scriptPath())
	if err != nil {
		t.Fatal(err)
	}
	healthOverrides := overrides(t, string(script))
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata/: %v", err)
	}
	seen := map[health.HealthStatusCode]bool{}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var f fixture
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			// The API machinery's decoder, as for a live object in Argo CD's cache.
			obj := &unstructured.Unstructured{}
			if err := obj.UnmarshalJSON(f.Object); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			// An error here is what Argo CD reports as the Application's
			// ComparisonError, with the resource's health Unknown.
			got, err := health.GetResourceHealth(obj, healthOverrides)
			if err != nil {
				t.Fatalf("Argo CD could not judge the health: %v", err)
			}
			if got == nil {
				t.Fatal("Argo CD found no health check for ModelEndpoint")
			}
			want := health.HealthStatusCode(f.Expect.Status)
			if got.Status != want {
				t.Errorf("status = %q (message %q), want %q", got.Status, got.Message, want)
			}
			if !strings.Contains(got.Message, f.Expect.MessageContains) {
				t.Errorf("message = %q, want it to contain %q", got.Message, f.Expect.MessageContains)
			}
			seen[want] = true
		})
	}
	for _, status := range []health.HealthStatusCode{health.HealthStatusHealthy, health.HealthStatusProgressing, health.HealthStatusDegraded, health.HealthStatusSuspended} {
		if !seen[status] {
			t.Errorf("no fixture expects %s", status)
		}
	}
}
