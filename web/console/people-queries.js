/** The GraphQL operations of the console's Teams screen: teams, users and their tokens. */

const USER = "id name role disabled";

export const PEOPLE = `query($after: String) {
  viewer { id role }
  teams { id name members { ${USER} } }
  users(first: 1000, after: $after) { edges { node { ${USER} } } pageInfo { hasNextPage endCursor } }
}`;

export const MORE_USERS = `query($after: String) {
  users(first: 1000, after: $after) { edges { node { ${USER} } } pageInfo { hasNextPage endCursor } }
}`;

export const CREATE_TEAM = `mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }`;

export const ADD_MEMBERS = `mutation($teamId: ID!, $userIds: [ID!]!) {
  addTeamMembers(teamId: $teamId, userIds: $userIds) { id }
}`;

export const REMOVE_MEMBERS = `mutation($teamId: ID!, $userIds: [ID!]!) {
  removeTeamMembers(teamId: $teamId, userIds: $userIds) { id }
}`;

export const DISABLE_USER = `mutation($id: ID!) { disableUser(id: $id) { id disabled } }`;
export const ENABLE_USER = `mutation($id: ID!) { enableUser(id: $id) { id disabled } }`;

export const TOKENS = `query($userId: ID!) { tokens(userId: $userId) { id name last4 createdAt } }`;

export const CREATE_TOKEN = `mutation($userId: ID!) {
  createToken(userId: $userId) { token apiToken { id last4 } }
}`;

export const REVOKE_TOKEN = `mutation($id: ID!) { revokeToken(id: $id) { id } }`;
