/**
 * Generated from shared/src/api/openapi.yaml by shared/scripts/gen-api.ts. Do not edit: change the source and run
 * `npm run gen:api -w shared`.
 */

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness and the state of each dependency.
         * @description Always answers 200 while the process serves requests; `status` and `components` tell whether the dependencies work (harbor, robot, database, buildkitd, copa, registry; with several buildkitd addresses one component per address, buildkitd-1, buildkitd-2, ... in the configured order). Needs no sign-in: like Harbor's own health, anyone sees only each component's name and status. A Harbor system admin also gets each component's `detail` and `error`, and each buildkitd's copa `slots` (total and in use). The components are checked at most once per PATCHING_HEALTH_CACHE_SECONDS (default 5); calls in between get that result.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/insights": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The same across all projects, per project, and the service's own load. Harbor system admins only.
         * @description `format=csv` returns one `table` (`outcomes`, `reasons` or `projects`) as CSV, escaped as the project's.
         */
        get: operations["getSystemInsights"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /**
         * List the project's executions (policy runs and ad-hoc patches), newest first.
         * @description Needs read access to the project.
         */
        get: operations["listExecutions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions/{execution_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /** One execution with its task counts. */
        get: operations["getExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions/{execution_id}/report": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /**
         * The execution's report, one row per artifact (before/after counts, fixed CVEs), as JSON or CSV.
         * @description Needs read access to the project. The CSV lists the fixed CVEs of a row separated by spaces.
         */
        get: operations["getExecutionReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions/{execution_id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop every pending and running task of the execution (copa's process group is killed).
         * @description Needs what starting it needed: `repository:push` in the project for an ad-hoc patch (trigger
         *     ADHOC); project admin (or system admin) for a policy run (MANUAL, SCHEDULE, EVENT) and for a job
         *     Harbor started (JOBSERVICE).
         */
        post: operations["stopExecution"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions/{execution_id}/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /** The execution's tasks, one per artifact. */
        get: operations["listTasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions/{execution_id}/tasks/{task_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                task_id: components["parameters"]["TaskId"];
            };
            cookie?: never;
        };
        /** One task, with live progress while it runs. */
        get: operations["getTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions/{execution_id}/tasks/{task_id}/log": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                task_id: components["parameters"]["TaskId"];
            };
            cookie?: never;
        };
        /** The task's log (copa's output and the service's steps, secrets removed); readable while it runs. */
        get: operations["getTaskLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions/{execution_id}/tasks/{task_id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                task_id: components["parameters"]["TaskId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop one task.
         * @description Same permission as stopping its execution (push for ADHOC, project admin otherwise).
         */
        post: operations["stopTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/executions/{execution_id}/tasks/{task_id}/vex": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                task_id: components["parameters"]["TaskId"];
            };
            cookie?: never;
        };
        /**
         * The OpenVEX document copa wrote for the patched image (404 when it wrote none).
         * @description For an image index, the document names each patched platform image as a product of the statements of
         *     the CVEs fixed in it; `platform` narrows it to one platform.
         */
        get: operations["getTaskVex"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/insights": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /**
         * What patching fixed in the project over a range of days, and what is left (the backlog).
         * @description Aggregated from the project's finished tasks (a task counts on the UTC day it ended) and, for the
         *     backlog and the vulnerabilities now, from Harbor's current scan overviews (read with the caller's
         *     credentials, cached a few minutes). Needs read access to the project, as the executions do; the
         *     backlog and `vulnerabilities` also need Harbor's `scan:read` in the project (members from Guest up
         *     have it, and every reader of a public project), else they are null.
         *     `format=csv` returns one `table` as CSV (RFC 4180; a cell starting with `=`, `+`, `-` or `@` gets a
         *     leading `'` so spreadsheets do not run it).
         */
        get: operations["getProjectInsights"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/policies": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /**
         * List the project's patch policies.
         * @description Needs read access to the project (member, or any signed-in user on a public project).
         */
        get: operations["listPolicies"];
        put?: never;
        /**
         * Create a patch policy.
         * @description Needs project admin (or system admin).
         */
        post: operations["createPolicy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/policies/{policy_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /** Read one patch policy. */
        get: operations["getPolicy"];
        /**
         * Replace a patch policy (fields left out take their defaults, as on create).
         * @description Needs project admin (or system admin).
         */
        put: operations["updatePolicy"];
        post?: never;
        /**
         * Delete a patch policy (its past executions stay readable).
         * @description Needs project admin (or system admin).
         */
        delete: operations["deletePolicy"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/policies/{policy_id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable a policy (no body). Its schedule and event trigger stop; manual runs are refused.
         * @description Needs project admin (or system admin).
         */
        post: operations["disablePolicy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/policies/{policy_id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enable a policy (no body). Same as a PUT with `enabled` true.
         * @description Needs project admin (or system admin).
         */
        post: operations["enablePolicy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/policies/{policy_id}/executions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run the policy now (trigger MANUAL).
         * @description Creates an execution at once and answers with it; the artifacts are selected in the background
         *     and become one task each (`status_message` then tells how many were selected and why others were
         *     left out). Stop it with `POST /projects/{project_name}/executions/{id}/stop`. A disabled policy
         *     cannot run, nor can a policy with a run still going: at most one execution per policy runs at a
         *     time (409; the message names the running execution). Needs project admin (or system admin).
         */
        post: operations["runPolicy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/policies/{policy_id}/schedule": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /**
         * The policy's schedule, next run time and recent schedule decisions.
         * @description Scheduled policies run at their cron slots (UTC). At most one execution per policy runs at a time:
         *     a slot that finds the previous run still going is logged as SKIPPED (no execution is created).
         *     After downtime, missed slots produce one catch-up run. Needs read access to the project.
         */
        get: operations["getPolicySchedule"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/policies/preview": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dry run of a stored or draft policy.
         * @description Which artifacts the policy would patch now, and why each other artifact would not: a filter
         *     (FILTERED_REPOSITORY, FILTERED_TAG, FILTERED_LABEL) or the reason a task would be skipped with
         *     (NO_TAG, NOT_IMAGE, MULTI_PLATFORM, ALREADY_PATCHED, NOT_SCANNED, NOTHING_FIXABLE, UP_TO_DATE). The
         *     decision is the one a run of the policy makes before copa, so a run patches exactly the candidates.
         *     Lists hold at most `limit` entries each; counts cover the whole project. Send `{"policy_id": N}` for a stored policy, or a draft policy (PolicyDraft: the fields of
         *     PatchPolicyInput, the name may be left out). Nothing is changed. Needs project admin (or system admin).
         */
        post: operations["previewPolicy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/patch": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                /** @description A tag or a digest (`sha256:` and 64 hex digits). */
                reference: string;
                /** @description The repository without the project; URL-encoded twice when it contains '/' (`a%252Fb`), as in Harbor. Distribution's repository grammar: lower-case path components separated by '/'; `..`, `.`, empty components, backslashes and control characters are refused (400), never normalised into another name. */
                repository_name: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Patch one artifact now (trigger ADHOC).
         * @description Queues a patch of the artifact and answers at once with its execution. A second request for an
         *     artifact that is already being patched answers with the running execution (`X-Patch-Joined: true`).
         *     Needs `repository:push` in the project. Refused at once when the service robot cannot patch here:
         *     503 `ROBOT_REJECTED` (Harbor rejects its credentials), 409 `ROBOT_NO_ACCESS` (no access to the
         *     project) or `ROBOT_PERMISSION` (a permission is missing; the message names it).
         */
        post: operations["patchArtifact"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /**
         * The successful tasks that produced these patched images (the newest one per digest).
         * @description Leads from a patched artifact to its source (`repository`, `tag`, `source_digest`) and to the task
         *     and execution that made it. Digests no task of this project produced are left out. Needs read access
         *     to the project.
         */
        get: operations["findTasksByPatchedDigest"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{project_name}/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        /**
         * Whether Harbor's webhook policy for this service exists in the project, and recent events.
         * @description Harbor delivers SCANNING_COMPLETED, SCANNING_FAILED, SCANNING_STOPPED and PUSH_ARTIFACT events to
         *     `POST /patching/webhooks/harbor` (outside this API's base path) with `Authorization: Bearer <the project's webhook credential>`, derived
         *     from PATCHING_WEBHOOK_SECRET and the project's id. An event whose credential is not its project's gets
         *     401. `credential_current` is false when the policy carries an old credential (the service-wide secret
         *     of an older version, or one made before the secret changed): its events are refused until it is
         *     registered again. A scan event also ends at once the wait of a patch task for that scan (without the
         *     webhook, tasks poll Harbor); failed and stopped scans are not listed among the events. Needs project
         *     admin (or system admin).
         */
        get: operations["getWebhookRegistration"];
        put?: never;
        /**
         * Create or update Harbor's webhook policy that sends scan and push events to this service.
         * @description The policy is named `harbor-patching`, targets this service's public URL (PATCHING_EXTERNAL_URL, else
         *     the origin of this request) and carries the project's own webhook credential as its auth header. The service
         *     robot needs Harbor's notification-policy list, create and update permissions in the project (409
         *     `ROBOT_PERMISSION` names the missing one). An existing policy keeps what an admin added (other targets and
         *     event types, description): only this service's target and event types change. 409 when
         *     PATCHING_WEBHOOK_SECRET is not set. Needs project admin (or system admin).
         */
        post: operations["registerWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description Repositories whose newest artifacts (up to 100 each) have fixable vulnerabilities and one at or above
         *     `severity`, that no enabled policy's repository filter matches, most fixable first (at most 10).
         */
        Backlog: {
            /** @description Repositories with such artifacts that an enabled policy covers. */
            covered: number;
            /** @description Artifacts read without a finished scan. */
            not_scanned: number;
            repositories: components["schemas"]["BacklogRepository"][];
            /** @enum {string} */
            severity: "Critical" | "High" | "Medium" | "Low";
            /** Format: date-time */
            taken_at: string;
            /** @description Repositories of which only the newest 100 artifacts were read. */
            truncated_repositories: number;
            /** @description All uncovered repositories with such artifacts. */
            uncovered: number;
        };
        BacklogRepository: {
            /** @description Artifacts with fixable vulnerabilities and one at or above the severity. */
            artifacts: number;
            /** @description Vulnerabilities at or above the severity in those artifacts. */
            at_or_above: number;
            by_severity: components["schemas"]["SeverityCounts"];
            /** @description Fixable vulnerabilities of those artifacts. */
            fixable: number;
            /** @description The repository without the project. */
            repository: string;
        };
        Error: {
            code: components["schemas"]["ErrorCode"];
            /** @description For bad input: the JSON path of the field, e.g. `name`, `filters[1].value`, `trigger.cron`, `query.page_size`. */
            field?: string;
            /** @description What went wrong and what to do about it. */
            message: string;
        };
        /**
         * @description The `code` of an error in an error body.
         * @enum {string}
         */
        ErrorCode: "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "CONFLICT" | "PRECONDITION_FAILED" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "UNPROCESSABLE_ENTITY" | "TOO_MANY_REQUESTS" | "INTERNAL_SERVER_ERROR" | "BAD_GATEWAY" | "SERVICE_UNAVAILABLE" | "ROBOT_REJECTED" | "ROBOT_NO_ACCESS" | "ROBOT_PERMISSION" | "HARBOR_UNREACHABLE";
        Errors: {
            errors: components["schemas"]["Error"][];
        };
        /**
         * @description Why a preview or a policy run leaves an artifact out. A policy filter, or the TaskReason the artifact would be skipped with.
         * @enum {string}
         */
        ExclusionReason: "FILTERED_REPOSITORY" | "FILTERED_TAG" | "FILTERED_LABEL" | "NO_TAG" | "NOT_IMAGE" | "MULTI_PLATFORM" | "ALREADY_PATCHED" | "NOT_SCANNED" | "NOTHING_FIXABLE" | "UP_TO_DATE";
        /** @description One policy run or one ad-hoc patch. `status` derives from the task counts as in Harbor. */
        Execution: {
            /** Format: date-time */
            end_time: string | null;
            /** @description Artifacts the selection of a policy run left out, per ExclusionReason, e.g. `{"FILTERED_REPOSITORY": 15}` (empty for other executions). */
            excluded: {
                [key: string]: number;
            };
            /** Format: int64 */
            id: number;
            metrics: components["schemas"]["ExecutionMetrics"];
            options: components["schemas"]["PatchOptions"];
            /** Format: int64 */
            policy_id: number | null;
            project: string;
            /** Format: date-time */
            start_time: string;
            status: components["schemas"]["ExecutionStatus"];
            status_message: string;
            trigger: components["schemas"]["ExecutionTrigger"];
        };
        ExecutionMetrics: {
            /** @description Finished tasks that did not succeed (Skipped, Error, Stopped), per reason code, e.g. `{"UP_TO_DATE": 3}`. */
            by_reason: {
                [key: string]: number;
            };
            failed: number;
            pending: number;
            running: number;
            skipped: number;
            stopped: number;
            succeeded: number;
            total: number;
        };
        ExecutionReport: {
            execution: components["schemas"]["Execution"];
            rows: components["schemas"]["ExecutionReportRow"][];
        };
        ExecutionReportRow: {
            /** @description All vulnerabilities of the patched image per severity. */
            after: components["schemas"]["SeverityCounts"] | (null);
            /** @description All vulnerabilities of the original per severity. */
            before: components["schemas"]["SeverityCounts"] | (null);
            /** Format: date-time */
            end_time: string | null;
            fixable_after: number | null;
            fixable_before: number | null;
            fixed_cves: string[];
            patched_digest: string | null;
            patched_tag: string | null;
            reason: components["schemas"]["TaskReason"] | (null);
            repository: string;
            source_digest: string;
            status: components["schemas"]["TaskStatus"];
            tag: string | null;
            /** Format: int64 */
            task_id: number;
        };
        /**
         * @description Derived from the task counts as in Harbor: any task pending or running, else any failed, else any stopped, else Success.
         * @enum {string}
         */
        ExecutionStatus: "Running" | "Success" | "Error" | "Stopped";
        /**
         * @description What started an execution.
         * @enum {string}
         */
        ExecutionTrigger: "MANUAL" | "SCHEDULE" | "EVENT" | "ADHOC" | "JOBSERVICE";
        /**
         * @description Whether a filter selects or drops what it matches.
         * @enum {string}
         */
        FilterDecoration: "matches" | "excludes";
        /**
         * @description How a repository or tag filter's value is read.
         * @enum {string}
         */
        FilterSyntax: "glob" | "regex";
        /**
         * @description What a policy filter matches.
         * @enum {string}
         */
        FilterType: "repository" | "tag" | "label";
        Health: {
            components: components["schemas"]["HealthComponent"][];
            /**
             * @description unhealthy when any component is.
             * @enum {string}
             */
            status: "healthy" | "unhealthy";
            version: string;
        };
        HealthComponent: {
            /** @description What was checked, e.g. an internal address or file path. Shown to Harbor system admins only. */
            detail?: string;
            /** @description Why the component is unhealthy and what to check. Shown to Harbor system admins only. */
            error?: string;
            /** @example harbor */
            name: string;
            /** @description A buildkitd endpoint's copa slots (buildkitd components only). Shown to Harbor system admins only. */
            slots?: {
                /** @description copa runs on it now. */
                in_use: number;
                /** @description copa runs the endpoint takes at once. */
                total: number;
            };
            /** @enum {string} */
            status: "healthy" | "unhealthy";
        };
        InsightTotals: {
            /** @description Tasks that ended in Error. */
            failed: number;
            fixable_after: components["schemas"]["SeverityCounts"];
            fixable_before: components["schemas"]["SeverityCounts"];
            /** @description CVE ids the successful tasks fixed, summed over images (a CVE fixed in two images counts twice). */
            fixed_cves: number;
            skipped: number;
            stopped: number;
            succeeded: number;
            /** @description Tasks finished in the range. */
            tasks: number;
        };
        OutcomePeriod: {
            /** @description Skipped, failed and stopped tasks per reason code. */
            by_reason: {
                [key: string]: number;
            };
            failed: number;
            fixed_cves: number;
            /**
             * Format: date
             * @description The day, or the Monday of the week.
             */
            period: string;
            skipped: number;
            stopped: number;
            succeeded: number;
        };
        /**
         * @description How copa patches.
         * @enum {string}
         */
        PatchMode: "targeted" | "comprehensive";
        /** @description The patch settings an execution's tasks use (a snapshot of the policy's, for policy runs). */
        PatchOptions: {
            copy_labels: boolean;
            delete_original: boolean;
            mode: components["schemas"]["PatchMode"];
            /**
             * @description Trust before patching: patch only images whose own cosign signature verifies against the service's
             *     trusted public key (PATCHING_TRUST_PUBLIC_KEY_FILE); others are skipped as UNTRUSTED_SOURCE.
             */
            require_signed_source?: boolean;
            rescan: boolean;
            /** @description Scan an artifact that has no report yet (true), or skip it as NOT_SCANNED (false). */
            scan_if_missing: boolean;
            severity_threshold: components["schemas"]["SeverityThreshold"];
            /**
             * @description Sign the patched image with the service's cosign key (and attest copa's OpenVEX document). Unset: the
             *     service's default (PATCHING_SIGN_BY_DEFAULT). Needs PATCHING_SIGNING_KEY_FILE.
             */
            sign?: boolean;
            tag_scheme: components["schemas"]["TagScheme"];
            tag_suffix: string;
        };
        PatchPolicy: {
            /** Format: date-time */
            creation_time: string;
            /** @description Who created the policy (Harbor user or robot name). */
            creator: string;
            description: string;
            enabled: boolean;
            filters: components["schemas"]["PolicyFilter"][];
            /** Format: int64 */
            id: number;
            mode: components["schemas"]["PatchMode"];
            name: string;
            /**
             * Format: date-time
             * @description Next scheduled run (UTC) for an enabled scheduled policy, else null.
             */
            next_run_time?: string | null;
            options: {
                copy_labels: boolean;
                delete_original: boolean;
                require_signed_source?: boolean;
                rescan: boolean;
                /** @description Absent: the service's default (PATCHING_SIGN_BY_DEFAULT). */
                sign?: boolean;
            };
            /** Format: int64 */
            project_id: number;
            project_name: string;
            severity_threshold: components["schemas"]["SeverityThreshold"];
            tag_scheme: components["schemas"]["TagScheme"];
            tag_suffix: string;
            trigger: components["schemas"]["PolicyTrigger"];
            /** Format: date-time */
            update_time: string;
            /** @description Who changed it last. */
            updated_by: string;
        };
        /** @description What a client sends to create or replace a policy. Fields left out take their defaults. */
        PatchPolicyInput: WithRequired<components["schemas"]["PolicyDraft"], "name">;
        /** @description Optional settings of an ad-hoc patch (defaults: targeted, floating, any fixable severity). */
        PatchRequest: {
            mode?: components["schemas"]["PatchMode"];
            /** @description Patch only if the image carries a cosign signature that verifies against the trusted public key. */
            require_signed_source?: boolean;
            severity_threshold?: components["schemas"]["SeverityThreshold"];
            /** @description Sign the patched image with the service's cosign key; left out, the service's default. */
            sign?: boolean;
            tag_scheme?: components["schemas"]["TagScheme"];
        };
        /** @description What a task for an image index did to one of its platform images. */
        PlatformResult: {
            fixed_cves: string[];
            /** @description Whether there is an OpenVEX document for this platform (`.../vex?platform=`). */
            has_vex: boolean;
            message: string;
            /** @description The platform image in the patched index (the source digest when carried over). */
            patched_digest: string | null;
            /**
             * @description `os/architecture[/variant]`, e.g. `linux/amd64`.
             * @example linux/386
             */
            platform: string;
            /** @description Why the platform was not patched: NOTHING_FIXABLE, UP_TO_DATE, UNSUPPORTED_OS, MULTI_PLATFORM (a platform this host cannot run), COPA_FAILED; null when Patched or Pending. */
            reason: components["schemas"]["TaskReason"] | (null);
            /** @description The platform image in the original index. */
            source_digest: string;
            /**
             * @description Pending until copa ran; Patched: the patched index holds a new image for this platform; Unchanged: the
             *     platform image was carried over as it is (`reason` says why); Error: copa failed on this platform.
             * @enum {string}
             */
            status: "Pending" | "Patched" | "Unchanged" | "Error";
            vulnerabilities_after: components["schemas"]["VulnerabilitySummary"] | (null);
            vulnerabilities_before: components["schemas"]["VulnerabilitySummary"] | (null);
        };
        /** @description The fields of a policy, all optional (a policy being edited, e.g. for a preview). PatchPolicyInput adds that `name` is required. */
        PolicyDraft: {
            description?: string;
            /** @default true */
            enabled: boolean;
            filters?: components["schemas"]["PolicyFilter"][];
            /** @default targeted */
            mode: components["schemas"]["PatchMode"];
            /** @description Unique in the project; Harbor's name rule. */
            name?: string;
            options?: components["schemas"]["PolicyOptions"];
            /** @default None */
            severity_threshold: components["schemas"]["SeverityThreshold"];
            /** @default floating */
            tag_scheme: components["schemas"]["TagScheme"];
            /**
             * @description Added after the source tag with a `-`. When the result would reach the 128-character tag limit, the source tag is cut and 32 hex digits of its SHA-256 are added (`<cut>.<hash>-<suffix>[-<n>]`, exactly 128 characters; plain names are at most 127), so different long tags do not share a patched tag (shared/src/policy/tags.ts). An existing patched tag made from another source is never overwritten (the task fails TAG_CONFLICT).
             * @default patched
             */
            tag_suffix: string;
            trigger?: components["schemas"]["PolicyTrigger"];
        };
        /**
         * @description `repository` matches the full repository name (`library/app`), `tag` a tag; both use `syntax`
         *     glob (default; doublestar: `library/**`, `1.0*`) or regex (RE2, anchored on the whole name).
         *     `label` takes a list of Harbor label names (global or the project's): `matches` selects artifacts
         *     carrying all of them, `excludes` drops them; it has no `syntax`. One filter per type.
         */
        PolicyFilter: {
            /** @default matches */
            decoration: components["schemas"]["FilterDecoration"];
            /** @description For repository and tag filters; defaults to glob. */
            syntax?: components["schemas"]["FilterSyntax"];
            type: components["schemas"]["FilterType"];
            value: string | string[];
        };
        PolicyOptions: {
            /**
             * @description Copy the source artifact's labels to the patched one.
             * @default true
             */
            copy_labels: boolean;
            /**
             * @description Delete the source tag once the patched image is verified and re-scanned (needs rescan).
             * @default false
             */
            delete_original: boolean;
            /**
             * @description Trust before patching: patch only images whose own cosign signature verifies against the service's trusted public key; others are skipped as UNTRUSTED_SOURCE.
             * @default false
             */
            require_signed_source: boolean;
            /**
             * @description Have Harbor scan the patched image and record before/after.
             * @default true
             */
            rescan: boolean;
            /** @description Sign the patched image with the service's cosign key (and attest copa's OpenVEX document). Left out, the service's default (PATCHING_SIGN_BY_DEFAULT) applies. */
            sign?: boolean;
        };
        PolicyPreview: {
            candidates: components["schemas"]["PreviewCandidate"][];
            counts: {
                artifacts_listed: number;
                by_reason: {
                    [key: string]: number;
                };
                candidates: number;
                excluded: number;
                repositories_matched: number;
                repositories_total: number;
            };
            draft?: boolean;
            duration_ms: number;
            excluded: components["schemas"]["PreviewExclusion"][];
            harbor_requests: number;
            /** Format: int64 */
            policy_id?: number;
            project_name: string;
            /** @description More candidates or exclusions exist than are listed. */
            truncated: boolean;
        };
        PolicyPreviewById: {
            /**
             * Format: int64
             * @description A stored policy of the project.
             */
            policy_id: number;
        };
        /** @description `{"policy_id": N}` for a stored policy, or a draft policy (PolicyDraft: PatchPolicyInput with `name` optional). A draft is checked by the shared policy validation. */
        PolicyPreviewRequest: components["schemas"]["PolicyPreviewById"] | components["schemas"]["PolicyDraft"];
        PolicyRunInfo: {
            enabled: boolean;
            /** Format: int64 */
            id: number;
            name: string;
            /** Format: date-time */
            next_run_time: string | null;
            severity_threshold: string;
            /** @enum {string} */
            trigger: "manual" | "scheduled" | "event_based";
        };
        PolicySchedule: {
            cron: string | null;
            enabled: boolean;
            /** Format: int64 */
            last_execution_id?: number | null;
            /**
             * Format: date-time
             * @description The last slot handled (run or skipped).
             */
            last_run_time: string | null;
            /** Format: date-time */
            next_run_time: string | null;
            /** Format: int64 */
            policy_id: number;
            recent: components["schemas"]["ScheduleLogEntry"][];
            trigger: components["schemas"]["TriggerType"];
        };
        PolicyTrigger: {
            /** @description Only for `scheduled`: 6 fields, seconds first and `0`, in UTC. Hourly `0 0 * * * *`, daily `0 0 0 * * *`, weekly `0 0 0 * * 0`. */
            cron?: string;
            type: components["schemas"]["TriggerType"];
        };
        PreviewCandidate: {
            digest: string;
            labels: string[];
            /** @description Repository name without the project. */
            repository: string;
            /** @description The full repository name, as the repository filter matches it (e.g. `library/sample-app`). */
            repository_name: string;
            /** @description The tag that will be patched (newest matching original tag). */
            tag: string;
            /** @description Every original tag of the artifact the tag filter accepts. */
            tags: string[];
            vulnerabilities?: {
                by_severity?: {
                    [key: string]: number;
                };
                fixable?: number;
                scan_status?: string;
                total?: number;
            };
        };
        PreviewExclusion: {
            /** @description Artifacts this entry stands for (a filtered repository stands for all of its artifacts). */
            count: number;
            digest?: string;
            /** @description Why, in plain words. */
            message: string;
            reason: components["schemas"]["ExclusionReason"];
            /** @description Repository name without the project. */
            repository: string;
            /** @description The full repository name, as the repository filter matches it (e.g. `library/sample-app`). */
            repository_name: string;
            tags?: string[];
        };
        ProjectInsightRow: {
            failed: number;
            /** @description Fixable vulnerabilities in the newest snapshot of the project (taken when its overview was last opened). */
            fixable_now: number | null;
            fixed_cves: number;
            /** Format: date-time */
            last_execution: string | null;
            project: string;
            skipped: number;
            /** Format: date */
            snapshot_day: string | null;
            stopped: number;
            succeeded: number;
            tasks: number;
        };
        ProjectInsights: {
            backlog: components["schemas"]["Backlog"] | (null);
            /** @description Why the backlog could not be read from Harbor. */
            backlog_error: string | null;
            /** @enum {string} */
            bucket: "day" | "week";
            /** Format: date */
            from: string;
            /** Format: date-time */
            generated_at: string;
            /** @description Periods with finished tasks, oldest first. */
            outcomes: components["schemas"]["OutcomePeriod"][];
            policies: components["schemas"]["PolicyRunInfo"][];
            project: string;
            /** @description Most frequent first. */
            reasons: components["schemas"]["ReasonCount"][];
            /** Format: date */
            to: string;
            totals: components["schemas"]["InsightTotals"];
            /** @description Null without scan:read. */
            vulnerabilities: components["schemas"]["VulnerabilityComparison"] | (null);
        };
        ReasonCount: {
            count: number;
            reason: string;
            /** @enum {string} */
            status: "Skipped" | "Error" | "Stopped";
        };
        ScheduleLogEntry: {
            /** Format: int64 */
            execution_id?: number | null;
            /** Format: date-time */
            fired_time: string;
            message: string;
            /**
             * @description STARTED: an execution was created; SKIPPED: the previous run was still going; FAILED: it could not start.
             * @enum {string}
             */
            outcome: "STARTED" | "SKIPPED" | "FAILED";
            /**
             * Format: date-time
             * @description The cron slot.
             */
            scheduled_time: string;
        };
        ServiceLoad: {
            finished_last_hour: number;
            /** @description Mean wall time of the tasks finished in the range. */
            mean_task_seconds: number | null;
            /** @description Median wall time of the tasks finished in the last 24 hours. */
            median_task_seconds: number | null;
            /** @description Tasks waiting for a slot. */
            queued: number;
            /** @description Tasks running now (slots in use). */
            running: number;
            /** @description Tasks that may run at once (PATCHING_CONCURRENCY; each holds one buildkitd build). */
            slots: number;
            /** @description Tasks finished per hour over the last 24 hours. */
            tasks_per_hour: number;
        };
        /**
         * @description Harbor's severity words.
         * @enum {string}
         */
        Severity: "Critical" | "High" | "Medium" | "Low" | "Negligible" | "Unknown" | "None";
        /** @description A count per severity. */
        SeverityCounts: {
            Critical: number;
            High: number;
            Low: number;
            Medium: number;
            Negligible: number;
            None: number;
            Unknown: number;
        };
        /**
         * @description The lowest severity a fixable vulnerability must have for the artifact to be patched, highest first.
         * @enum {string}
         */
        SeverityThreshold: "Critical" | "High" | "Medium" | "Low" | "None";
        SystemInsights: {
            /** @enum {string} */
            bucket: "day" | "week";
            /** Format: date */
            from: string;
            /** Format: date-time */
            generated_at: string;
            outcomes: components["schemas"]["OutcomePeriod"][];
            projects: components["schemas"]["ProjectInsightRow"][];
            reasons: components["schemas"]["ReasonCount"][];
            service: components["schemas"]["ServiceLoad"];
            /** Format: date */
            to: string;
            totals: components["schemas"]["InsightTotals"];
        };
        /**
         * @description How the patched tag is named.
         * @enum {string}
         */
        TagScheme: "floating" | "incremental";
        /**
         * @description One artifact of an execution. `reason` (a TaskReason) classifies every ending other than Success;
         *     `status_message` says it in a sentence. While a transient failure is retried the task is Pending
         *     with the last reason.
         */
        Task: {
            /** @description Attempts made (transient failures are retried with backoff). */
            attempt: number;
            /** @description Time spent inside copa. */
            copa_seconds: number | null;
            /** Format: date-time */
            creation_time: string;
            /** Format: date-time */
            end_time: string | null;
            /** Format: int64 */
            execution_id: number;
            fixed_cves: string[];
            /** @description Whether copa wrote an OpenVEX document for the patched image (see `.../vex`). */
            has_vex: boolean;
            /** Format: int64 */
            id: number;
            /** @description The digest of `patched_tag`, under the same rule. */
            patched_digest: string | null;
            /** @description The patched tag, set only once that image is in the registry (pushed by this task, or already there when the task is skipped as up to date); null when nothing was pushed. */
            patched_tag: string | null;
            /**
             * @description For an image index: one entry per platform image, in the index's order, once the task has planned them
             *     (null for a single-platform image). The task's own counts and CVEs are the index's (Harbor merges its
             *     children's reports); these are each platform's.
             */
            platforms: components["schemas"]["PlatformResult"][] | null;
            /** @description What the task is doing; null when it is not running. */
            progress: components["schemas"]["TaskProgress"] | (null);
            project: string;
            /** @description Why the task did not succeed; null while it runs and on Success. */
            reason: components["schemas"]["TaskReason"] | (null);
            /** @description The repository without the project. */
            repository: string;
            /** @description Whether the patched image carries the service's cosign signature. */
            signed: boolean;
            source_digest: string;
            /** Format: date-time */
            start_time: string | null;
            status: components["schemas"]["TaskStatus"];
            status_message: string;
            tag: string | null;
            /** Format: date-time */
            update_time: string;
            /** @description Digest of the OCI referrer of the patched image holding copa's OpenVEX document (artifactType application/vnd.openvex+json); null when none was attached. */
            vex_referrer: string | null;
            /** @description Harbor's counts for the patched image after the re-scan; null when it was not (re-)scanned. */
            vulnerabilities_after: components["schemas"]["VulnerabilitySummary"] | (null);
            /** @description Harbor's counts for the original; null when it was not scanned (e.g. Harbor has no scanner for the project and the task patched in comprehensive mode). */
            vulnerabilities_before: components["schemas"]["VulnerabilitySummary"] | (null);
        };
        /**
         * @description What the task is doing (while copa runs, its current build step) and how far the whole task is: resolving
         *     5 %, waiting for a scan 10 %, copa's build steps 70 %, verifying 5 %, the re-scan 10 %. The percent only
         *     rises and is 100 at Success.
         */
        TaskProgress: {
            percent: number;
            /** @example Installing 3 security updates */
            stage: string;
        };
        /**
         * @description Why a task did not end Success. The Skipped ones are also decided before copa (ExclusionReason); a
         *     transient failure is retried, and the task is Pending with the last reason meanwhile.
         * @enum {string}
         */
        TaskReason: "NOTHING_FIXABLE" | "UP_TO_DATE" | "NOT_IMAGE" | "MULTI_PLATFORM" | "ALREADY_PATCHED" | "NOT_SCANNED" | "NO_TAG" | "NOT_FOUND" | "UNSUPPORTED_OS" | "SCAN_FAILED" | "TAG_IMMUTABLE" | "TAG_CONFLICT" | "BUILDKIT_UNREACHABLE" | "REGISTRY_AUTH" | "REGISTRY_UNREACHABLE" | "HARBOR_AUTH" | "ROBOT_NO_ACCESS" | "ROBOT_PERMISSION" | "HARBOR_UNREACHABLE" | "COPA_FAILED" | "VERIFY_FAILED" | "TIMEOUT" | "INTERRUPTED" | "INTERNAL" | "STOPPED" | "UNTRUSTED_SOURCE" | "SIGN_FAILED";
        /** @enum {string} */
        TaskStatus: "Pending" | "Running" | "Success" | "Skipped" | "Error" | "Stopped";
        /**
         * @description When a policy runs.
         * @enum {string}
         */
        TriggerType: "manual" | "scheduled" | "event_based";
        /** @description Now (from Harbor; null when Harbor could not be read) and the snapshot nearest to 30 days before `to` (else the oldest kept; null without an earlier one). */
        VulnerabilityComparison: {
            now: components["schemas"]["VulnerabilitySnapshot"] | (null);
            then: components["schemas"]["VulnerabilitySnapshot"] | (null);
        };
        /** @description A project's vulnerabilities on one day, summed over its scanned artifacts (patch results left out). */
        VulnerabilitySnapshot: {
            artifacts: number;
            /** @description All vulnerabilities per severity (Harbor's overview counts fixable ones only as a total). */
            by_severity: components["schemas"]["SeverityCounts"];
            /** Format: date */
            day: string;
            fixable: number;
            /** Format: date-time */
            taken_at: string;
            total: number;
        };
        /** @description Counts of an artifact's vulnerabilities, like Harbor's NativeReportSummary.summary. */
        VulnerabilitySummary: {
            /** @description Vulnerabilities with a fixed version available. */
            fixable: number;
            /** @description Fixable vulnerabilities by severity. */
            fixable_summary?: {
                Critical?: number;
                High?: number;
                Low?: number;
                Medium?: number;
                Negligible?: number;
                None?: number;
                Unknown?: number;
            };
            /** @description Count by severity (absent severities are 0). */
            summary: {
                Critical?: number;
                High?: number;
                Low?: number;
                Medium?: number;
                Negligible?: number;
                None?: number;
                Unknown?: number;
            };
            /** @description All vulnerabilities. */
            total: number;
        };
        WebhookEventSummary: {
            digest?: string | null;
            execution_ids?: number[];
            id?: number;
            message?: string;
            /** Format: date-time */
            received_at?: string;
            repository?: string;
            /**
             * @description dropped: Harbor does not confirm the artifact the event names (project, repository, digest, tag); nothing was done.
             * @enum {string}
             */
            status?: "received" | "done" | "ignored" | "dropped" | "failed";
            tag?: string | null;
            /** @enum {string} */
            type?: "SCANNING_COMPLETED" | "PUSH_ARTIFACT";
        };
        WebhookRegistration: {
            address?: string | null;
            address_matches: boolean;
            /** @description Whether the policy carries this project's current webhook credential; false means "register again". */
            credential_current?: boolean;
            enabled?: boolean;
            event_types?: string[];
            expected_address: string;
            has_auth_header?: boolean;
            /** @description Harbor's webhook policy id. */
            id?: number | null;
            name?: string;
            recent_events?: components["schemas"]["WebhookEventSummary"][];
            registered: boolean;
            secret_configured: boolean;
            update_time?: string | null;
        };
    };
    responses: {
        /** @description Harbor could not be reached or answered unexpectedly (`BAD_GATEWAY`, `HARBOR_UNREACHABLE`); the message says which call failed. */
        BadGateway: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
        /** @description The request is not valid; each error names its field. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
        /** @description The resource conflicts with an existing one (e.g. a policy name already taken). */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
        /** @description Signed in, but without the needed project permission (or a CSRF check failed). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
        /** @description The project or the resource does not exist, or the caller may not see it. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
        /** @description The body is larger than the limit (1 MiB). */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
        /**
         * @description The service robot has no access to the project (`ROBOT_NO_ACCESS`) or lacks a permission there
         *     (`ROBOT_PERMISSION`); the message says what to grant it in Harbor.
         */
        RobotCannot: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
        /** @description Harbor rejects the service robot's credentials (`ROBOT_REJECTED`); the message says what to check. */
        RobotRejected: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
        /** @description No valid Harbor credentials (sign in to Harbor, or send Basic auth). */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Errors"];
            };
        };
    };
    parameters: {
        ExecutionId: number;
        /** @description Periods of the time series (default day); a week starts on Monday. */
        InsightsBucket: "day" | "week";
        /** @description json (default) or csv. The `Accept` header is not consulted. */
        InsightsFormat: "json" | "csv";
        /** @description First day (UTC, inclusive). Default 29 days before `to`; at most 366 days before `to`. */
        InsightsFrom: string;
        /** @description Last day (UTC, inclusive). Default today. */
        InsightsTo: string;
        /** @description The page number, from 1, in digits (as Harbor's int64); pages past the end are empty. */
        Page: number;
        /** @description Items per page (at most 100), as in Harbor. */
        PageSize: number;
        PolicyId: number;
        /** @description Harbor project name. */
        ProjectName: string;
        TaskId: number;
    };
    requestBodies: never;
    headers: {
        /** @description Harbor-style links to the previous and next pages: `</path?page=2&page_size=10>; rel="next"`. */
        Link: string;
        /** @description The total number of items across pages. */
        XTotalCount: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service is alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    getSystemInsights: {
        parameters: {
            query?: {
                /** @description Periods of the time series (default day); a week starts on Monday. */
                bucket?: components["parameters"]["InsightsBucket"];
                /** @description json (default) or csv. The `Accept` header is not consulted. */
                format?: components["parameters"]["InsightsFormat"];
                /** @description First day (UTC, inclusive). Default 29 days before `to`; at most 366 days before `to`. */
                from?: components["parameters"]["InsightsFrom"];
                /** @description With `format=csv`: which table (default `outcomes`). */
                table?: "outcomes" | "reasons" | "projects";
                /** @description Last day (UTC, inclusive). Default today. */
                to?: components["parameters"]["InsightsTo"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The insights (JSON), or one table of them (CSV). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SystemInsights"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            502: components["responses"]["BadGateway"];
        };
    };
    listExecutions: {
        parameters: {
            query?: {
                /** @description The page number, from 1, in digits (as Harbor's int64); pages past the end are empty. */
                page?: components["parameters"]["Page"];
                /** @description Items per page (at most 100), as in Harbor. */
                page_size?: components["parameters"]["PageSize"];
                policy_id?: number;
                /** @description One field, optionally with `-` for descending: id, start_time. Default: -id (newest first). */
                sort?: "id" | "-id" | "start_time" | "-start_time";
                status?: components["schemas"]["ExecutionStatus"];
                trigger?: components["schemas"]["ExecutionTrigger"];
            };
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of executions. */
            200: {
                headers: {
                    Link: components["headers"]["Link"];
                    "X-Total-Count": components["headers"]["XTotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    getExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The execution. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    getExecutionReport: {
        parameters: {
            query?: {
                /** @description json (default) or csv. The `Accept` header is not consulted. */
                format?: components["parameters"]["InsightsFormat"];
            };
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionReport"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
        };
    };
    stopExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The execution after the stop. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    listTasks: {
        parameters: {
            query?: {
                /** @description The page number, from 1, in digits (as Harbor's int64); pages past the end are empty. */
                page?: components["parameters"]["Page"];
                /** @description Items per page (at most 100), as in Harbor. */
                page_size?: components["parameters"]["PageSize"];
                status?: components["schemas"]["TaskStatus"];
            };
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of tasks. */
            200: {
                headers: {
                    Link: components["headers"]["Link"];
                    "X-Total-Count": components["headers"]["XTotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    getTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                task_id: components["parameters"]["TaskId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    getTaskLog: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                task_id: components["parameters"]["TaskId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The log. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    stopTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                task_id: components["parameters"]["TaskId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task after the stop (Stopped, or still Running for a moment while copa exits). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    getTaskVex: {
        parameters: {
            query?: {
                /** @description An image index task: only this platform (`os/architecture[/variant]`). */
                platform?: string;
            };
            header?: never;
            path: {
                execution_id: components["parameters"]["ExecutionId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                task_id: components["parameters"]["TaskId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenVEX document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    getProjectInsights: {
        parameters: {
            query?: {
                /** @description Periods of the time series (default day); a week starts on Monday. */
                bucket?: components["parameters"]["InsightsBucket"];
                /** @description json (default) or csv. The `Accept` header is not consulted. */
                format?: components["parameters"]["InsightsFormat"];
                /** @description First day (UTC, inclusive). Default 29 days before `to`; at most 366 days before `to`. */
                from?: components["parameters"]["InsightsFrom"];
                /** @description The backlog lists repositories with fixable vulnerabilities and one at or above this severity (default High). */
                severity?: "Critical" | "High" | "Medium" | "Low";
                /** @description With `format=csv`: which table (default `outcomes`). */
                table?: "outcomes" | "reasons" | "backlog" | "policies";
                /** @description Last day (UTC, inclusive). Default today. */
                to?: components["parameters"]["InsightsTo"];
            };
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The insights (JSON), or one table of them (CSV). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectInsights"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    listPolicies: {
        parameters: {
            query?: {
                /** @description Only policies whose name contains this text (fuzzy, like Harbor's `q=name=~x`). */
                name?: string;
                /** @description The page number, from 1, in digits (as Harbor's int64); pages past the end are empty. */
                page?: components["parameters"]["Page"];
                /** @description Items per page (at most 100), as in Harbor. */
                page_size?: components["parameters"]["PageSize"];
                /** @description One field, optionally with `-` for descending: name, creation_time, update_time, id. Default: -creation_time. */
                sort?: "name" | "-name" | "creation_time" | "-creation_time" | "update_time" | "-update_time" | "id" | "-id";
            };
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of policies. */
            200: {
                headers: {
                    Link: components["headers"]["Link"];
                    "X-Total-Count": components["headers"]["XTotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatchPolicy"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    createPolicy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatchPolicyInput"];
            };
        };
        responses: {
            /** @description Created; `Location` points at the new policy. */
            201: {
                headers: {
                    /** @description URL of the created policy. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatchPolicy"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            502: components["responses"]["BadGateway"];
        };
    };
    getPolicy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The policy. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatchPolicy"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    updatePolicy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatchPolicyInput"];
            };
        };
        responses: {
            /** @description The updated policy. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatchPolicy"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            502: components["responses"]["BadGateway"];
        };
    };
    deletePolicy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    disablePolicy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The updated policy. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatchPolicy"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    enablePolicy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The updated policy. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatchPolicy"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    runPolicy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new execution; `Location` points at it. */
            201: {
                headers: {
                    /** @description URL of the execution. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            502: components["responses"]["BadGateway"];
        };
    };
    getPolicySchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: components["parameters"]["PolicyId"];
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The schedule. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicySchedule"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    previewPolicy: {
        parameters: {
            query?: {
                /** @description Most candidates and most exclusions listed (counts stay complete). */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PolicyPreviewRequest"];
            };
        };
        responses: {
            /** @description The preview. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyPreview"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["RobotCannot"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["RobotRejected"];
        };
    };
    patchArtifact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
                /** @description A tag or a digest (`sha256:` and 64 hex digits). */
                reference: string;
                /** @description The repository without the project; URL-encoded twice when it contains '/' (`a%252Fb`), as in Harbor. Distribution's repository grammar: lower-case path components separated by '/'; `..`, `.`, empty components, backslashes and control characters are refused (400), never normalised into another name. */
                repository_name: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["PatchRequest"];
            };
        };
        responses: {
            /** @description The execution; `Location` points at it, `X-Patch-Task-Id` names its task. */
            202: {
                headers: {
                    /** @description URL of the execution. */
                    Location?: string;
                    /** @description true when an execution already running for this artifact was returned. */
                    "X-Patch-Joined"?: string;
                    /** @description Id of the artifact's task. */
                    "X-Patch-Task-Id"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["RobotCannot"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["RobotRejected"];
        };
    };
    findTasksByPatchedDigest: {
        parameters: {
            query: {
                /** @description Digests of patched images (repeat the parameter for several, at most 100). */
                patched_digest: string[];
                /** @description Only tasks of this repository (its name without the project). */
                repository?: string;
            };
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tasks, newest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"][];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            502: components["responses"]["BadGateway"];
        };
    };
    getWebhookRegistration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The registration state (the secret is never shown). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookRegistration"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["RobotCannot"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["RobotRejected"];
        };
    };
    registerWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Harbor project name. */
                project_name: components["parameters"]["ProjectName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Updated. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookRegistration"];
                };
            };
            /** @description Created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookRegistration"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            /** @description Harbor refused the service robot. */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Errors"];
                };
            };
            503: components["responses"]["RobotRejected"];
        };
    };
}
type WithRequired<T, K extends keyof T> = T & {
    [P in K]-?: T[P];
};
