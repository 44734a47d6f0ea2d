// The privilege gate lives in one place for every workspace (packages/test-gate).
export { canMount, describeMounting, describeRoot, isPrivileged } from '@ovl/test-gate';
