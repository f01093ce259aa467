/** The GraphQL operations the worker portal sends (names from DESIGN.md's contract). */

export const TASK_TYPES = `query { taskTypes { name element elementUrl labelKind } }`;

export const AVAILABLE_JOBS = `query {
  availableJobs { id name taskType labels instructions }
}`;

const TASK_FIELDS = `
  id status acceptedAt leaseExpiresAt input renderedTemplate
  item { position }
  job {
    id name taskType labels labelAttributeName instructions fullInstructions shortcuts
    counters { total gold }
    examples { label text note imageUrl }
  }
`;

export const CLAIM_TASK = `mutation($jobId: ID) { claimTask(jobId: $jobId) { ${TASK_FIELDS} } }`;

export const SUBMIT_TASK = `mutation($taskId: ID!, $answer: JSON!) {
  submitTask(taskId: $taskId, answer: $answer) { id status }
}`;

export const RELEASE_TASK = `mutation($taskId: ID!) { releaseTask(taskId: $taskId) { id status } }`;

export const DECLINE_TASK = `mutation($taskId: ID!) { declineTask(taskId: $taskId) { id status } }`;
