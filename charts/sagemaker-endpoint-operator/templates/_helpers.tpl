{{- define "seo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "seo.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "seo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "seo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "seo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "seo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "seo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "seo.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "seo.leaseName" -}}
{{- default (include "seo.fullname" .) .Values.leaderElection.leaseName -}}
{{- end -}}

{{/* What the operator does to ModelEndpoints and their events, wherever it watches. */}}
{{- define "seo.watchRules" -}}
- apiGroups: ["serving.endpoint-operator.io"]
  resources: ["modelendpoints"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["serving.endpoint-operator.io"]
  resources: ["modelendpoints/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
