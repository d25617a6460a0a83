// Replaced by the tiny-model generator setup.
export default async function setup(): Promise<void> {}
