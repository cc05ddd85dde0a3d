/**
 * The plan's per-type describers: for each resource type, the properties a reviewer checks, one
 * small function a type, kept with the others of its area. A type without one shows no details.
 */
import type { Describer } from "./describe";
import { COMPUTE } from "./compute";
import { EDGE } from "./edge";
import { LOAD_BALANCING } from "./loadBalancing";
import { NETWORK } from "./network";
import { STORAGE } from "./storage";

export { type Details, type DetailValue, References } from "./describe";

export const DESCRIBERS: Readonly<Record<string, Describer>> = { ...NETWORK, ...LOAD_BALANCING, ...STORAGE, ...COMPUTE, ...EDGE };
