{{/* Selector labels of one component: (dict "root" $ "component" "web"). */}}
{{- define "clausewatch.selector" -}}
app.kubernetes.io/name: clausewatch
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every resource's labels: the selector's, and who manages it. */}}
{{- define "clausewatch.labels" -}}
{{ include "clausewatch.selector" . }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end }}

{{/* The pod-level settings every workload shares: no service-account token, non-root, seccomp. */}}
{{- define "clausewatch.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
{{- end }}

{{/* The container fields every workload shares: (dict "root" $ "resources" .Values.web.resources). */}}
{{- define "clausewatch.container" -}}
image: "{{ .root.Values.image.repository }}:{{ .root.Values.image.tag }}"
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
envFrom:
  - configMapRef:
      name: {{ .root.Release.Name }}
  - secretRef:
      name: {{ .root.Values.secretName }}
{{- with .root.Values.databaseUrlSecret.name }}
env:
  - name: CLAUSEWATCH_DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ . }}
        key: {{ $.root.Values.databaseUrlSecret.key }}
{{- end }}
resources: {{- toYaml .resources | nindent 2 }}
securityContext:
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end }}

{{/* The writable /tmp on a read-only root file system. */}}
{{- define "clausewatch.volumes" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end }}
