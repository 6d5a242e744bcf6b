-- Worker agents authenticate with a token of this role, which can do nothing else in the API.
ALTER TYPE "ApiRole" ADD VALUE 'WORKER';
