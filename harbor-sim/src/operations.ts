// Every Harbor API operation the stand-in serves, as "<method> <swagger path>" (paths relative to /api/v2.0).
// The contract test calls each one and validates the answer against Harbor's swagger file.
export const SERVED_OPERATIONS = [
  'get /ping',
  'get /health',
  'get /systeminfo',
  'get /users/current',
  'get /users/current/permissions',
  'get /projects',
  'head /projects',
  'post /projects',
  'get /projects/{project_name_or_id}',
  'get /projects/{project_name_or_id}/members',
  'post /projects/{project_name_or_id}/members',
  'get /projects/{project_name}/repositories',
  'get /projects/{project_name}/repositories/{repository_name}',
  'get /projects/{project_name}/repositories/{repository_name}/artifacts',
  'get /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}',
  'get /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/accessories',
  'delete /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}',
  'post /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/scan',
  'get /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/scan/{report_id}/log',
  'get /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/additions/vulnerabilities',
  'get /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags',
  'post /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags',
  'delete /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags/{tag_name}',
  'post /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/labels',
  'delete /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/labels/{label_id}',
  'get /labels',
  'post /labels',
  'get /labels/{label_id}',
  'delete /labels/{label_id}',
  'get /projects/{project_name_or_id}/immutabletagrules',
  'post /projects/{project_name_or_id}/immutabletagrules',
  'put /projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}',
  'delete /projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}',
  'get /projects/{project_name_or_id}/webhook/events',
  'get /projects/{project_name_or_id}/webhook/policies',
  'post /projects/{project_name_or_id}/webhook/policies',
  'get /projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}',
  'put /projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}',
  'delete /projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}',
  'get /robots',
  'post /robots',
  'get /robots/{robot_id}',
  'delete /robots/{robot_id}',
] as const;

/**
 * Answers real Harbor gives that its swagger file does not declare. The contract test accepts exactly these.
 * Harbor's immutable-tag middleware and tag controller return 412 for tag and artifact deletion
 * (src/controller/tag/controller.go), while the swagger lists no 412 for these two operations. The scan
 * controller answers 409 while the previous scan of the artifact is not final
 * (src/controller/scan/base_controller.go, makeReportPlaceholder); the swagger lists no 409 for scanning. In a
 * project without a scanner (Harbor installed without Trivy) it answers 412 "no available scanner for
 * project: <id>" (base_controller.go Scan); the swagger lists no 412 for scanning either.
 */
export const UNDECLARED_HARBOR_ANSWERS = [
  'delete /projects/{project_name}/repositories/{repository_name}/artifacts/{reference} 412',
  'delete /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags/{tag_name} 412',
  'post /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/scan 409',
  'post /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/scan 412',
] as const;
