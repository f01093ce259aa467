/** The GraphQL operations the requester console sends (names from DESIGN.md's contract). */

export const CATALOG = `query {
  taskTypes { name description labelKind sourceKey defaultConsensus minLabels auditsLabels }
  consensusAlgorithms { name description labelKinds }
  autoLabelers { name description taskTypes }
  teams { id name members { id } }
}`;

/** What a job's page needs besides the job: how its task type shows, team names, who reads. */
export const PAGE_CONTEXT = `query {
  viewer { id name }
  taskTypes { name labelKind sourceKey outputType }
  teams { id name }
}`;

const COUNTERS = "total humanLabeled machineLabeled failed unlabeled inProgress skipped waitingForWorkers";

export const JOBS = `query($after: String) {
  jobs(first: 200, after: $after) {
    edges { node { id name taskType status createdAt counters { ${COUNTERS} } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CREATE_JOB = `mutation($input: CreateJobInput!) {
  createJob(input: $input) { id name warnings }
}`;

/** What "Run again" fills the new-job form with: a job's settings. */
export const JOB_SETTINGS = `query($id: ID!) {
  job(id: $id) {
    id name taskType status labels labelAttributeName auditLabelAttributeName workersPerItem
    consensus teamId outputPath instructions fullInstructions template pricePerTask
    taskTimeLimitSeconds failureReason
  }
}`;

export const STOP_JOB = `mutation($id: ID!) { stopJob(id: $id) { id status } }`;

const ITEM = "id position status manifestLine output confidence sourceUrl labelUrl";

/** One job's page: the job, its stats and a sample of labeled items of each kind. */
export const JOB = `query($id: ID!, $sample: Int!) {
  job(id: $id) {
    id name taskType status labels labelAttributeName workersPerItem consensus workforce
    teamId inputManifest outputPath outputManifest outputManifestUrl
    instructions pricePerTask failureReason createdAt startedAt finishedAt warnings
    counters { ${COUNTERS} }
    cost { workforce service compute total saved currency }
    workerStats {
      workerId name submitted consolidated answersAssessed agreement accuracy spammer medianSeconds
      goldAnswers goldAccuracy blocked
    }
    modelRuns {
      id iteration model status trainingSize threshold estimatedAccuracy accuracyLowerBound
      validatedItems itemsLabeled itemsSent seconds error createdAt
    }
    human: items(status: HUMAN_LABELED, first: $sample) { edges { node { ${ITEM} } } }
    machine: items(status: MACHINE_LABELED, first: $sample) { edges { node { ${ITEM} } } }
  }
}`;

export const AUDIT_EVENTS = `query($jobId: ID!, $first: Int!, $after: String) {
  auditEvents(jobId: $jobId, first: $first, after: $after) {
    edges { node { id seq action actorId entityType entityId itemPosition data createdAt hash } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const JOB_PROGRESS = `subscription($jobId: ID!) {
  jobProgress(jobId: $jobId) { ${COUNTERS} }
}`;
