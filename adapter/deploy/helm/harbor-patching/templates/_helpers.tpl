{{/* Objects are named after Harbor's release: <harbor fullname>-patching, as harbor-helm names its components. */}}
{{- define "patching.fullname" -}}
{{- printf "%s-patching" .Values.harbor.fullname | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "patching.buildkitd" -}}
{{- printf "%s-patching-buildkitd" .Values.harbor.fullname | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "patching.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: harbor-patching
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: harbor
{{- end -}}

{{- define "patching.selector" -}}
app.kubernetes.io/name: harbor-patching
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* harbor.externalURL, checked: an http(s) origin without a path. */}}
{{- define "patching.externalURL" -}}
{{- $url := required "harbor.externalURL is required: harbor-helm's externalURL, e.g. https://core.harbor.domain" .Values.harbor.externalURL -}}
{{- $u := urlParse $url -}}
{{- if not (has $u.scheme (list "http" "https")) -}}
{{- fail (printf "harbor.externalURL must start with http:// or https://, got %q" $url) -}}
{{- end -}}
{{- if not (has $u.path (list "" "/")) -}}
{{- fail (printf "harbor.externalURL must be an origin without a path (e.g. https://core.harbor.domain), got %q" $url) -}}
{{- end -}}
{{- printf "%s://%s" $u.scheme $u.host -}}
{{- end -}}

{{- define "patching.internalURL" -}}
{{- if .Values.harbor.internalURL -}}
{{- trimSuffix "/" .Values.harbor.internalURL -}}
{{- else -}}
{{- printf "http://%s-core" .Values.harbor.fullname -}}
{{- end -}}
{{- end -}}

{{/* host[:port] copa pulls from and pushes to: Harbor core's /v2/ as the service calls it. */}}
{{- define "patching.registryHost" -}}
{{- (urlParse (include "patching.internalURL" .)).host -}}
{{- end -}}

{{- define "patching.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "patching.fullname" .) -}}
{{- end -}}

{{- define "patching.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "patching.buildkitdImage" -}}
{{- printf "%s:%s" .Values.buildkitd.image.repository (.Values.buildkitd.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "patching.buildkitdSocket" -}}
{{- if .Values.buildkitd.rootless -}}
unix:///run/user/1000/buildkit/buildkitd.sock
{{- else -}}
unix:///run/buildkit/buildkitd.sock
{{- end -}}
{{- end -}}
