/** What `run` throws, so a test can assert on its code and message; fails the test when it does not throw. */
export function catchError(run: () => unknown): unknown {
  try {
    run()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}
