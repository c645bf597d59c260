import { type JsonArray, type JsonValue } from './json-value.js';

/** How one packed number was written: a double, or an integer in or beyond the int32 range. */
export const PACKED_DOUBLE = 0;
export const PACKED_INT32 = 1;
export const PACKED_INT = 2;

/** The shape of the elements of a block of numbers: none. */
export const SCALAR_SHAPE: readonly number[] = [];

/**
 * A dense block of JSON numbers: an array of numbers, or an array of equally shaped such
 * blocks (`[[1,2],[3,4]]`, `[[[0.1]],[[0.2]]]`), every number one that fits a double exactly
 * as parsed (doubles, and integers up to 2^53). The numbers are kept in document order in one
 * Float64Array, with one kind byte each, instead of a value object each: 9 bytes per number
 * instead of ~60, no object per nested list, and tensor filling copies them in one pass.
 * `items` materializes the general form on first use (sub-blocks are views, not copies), so
 * every other reader works as is.
 */
export class PackedJsonArray implements JsonArray {
  readonly kind = 'array';
  private materialized: JsonValue[] | undefined;

  constructor(
    /** All the numbers of the block, in document order; `NaN` and ±Infinity included. */
    readonly values: Float64Array,
    private readonly kinds: Uint8Array,
    /** The sizes at each level, as TF Serving's `GetDenseTensorShape` reads them. */
    readonly shape: readonly number[],
  ) {}

  /** The number of elements (numbers, or sub-blocks when `shape` has more than one level). */
  get length(): number {
    return this.shape[0] ?? 0;
  }

  get items(): readonly JsonValue[] {
    this.materialized ??= this.materialize();
    return this.materialized;
  }

  /** rapidjson `IsInt()` of number `i` (in document order): an int32 integer literal. */
  isInt32(i: number): boolean {
    return this.kinds[i] === PACKED_INT32;
  }

  /** Whether every number is an int32 (so an int32 input takes them all). */
  everyInt32(): boolean {
    return this.kinds.every((kind) => kind === PACKED_INT32);
  }

  /** Number `i` (in document order) in the general form. */
  item(i: number): JsonValue {
    const value = this.values[i] ?? 0;
    const kind = this.kinds[i];
    if (kind === PACKED_DOUBLE) return { kind: 'double', value };
    return { kind: 'int', value, big: undefined, int32: kind === PACKED_INT32, int64: true };
  }

  private materialize(): JsonValue[] {
    const { length } = this;
    if (this.shape.length === 1) return Array.from({ length }, (_, i) => this.item(i));
    const inner = this.shape.slice(1);
    const stride = length === 0 ? 0 : this.values.length / length;
    return Array.from({ length }, (_, i) => {
      const [from, to] = [i * stride, (i + 1) * stride];
      return new PackedJsonArray(
        this.values.subarray(from, to),
        this.kinds.subarray(from, to),
        inner,
      );
    });
  }
}

/**
 * The numbers of the dense blocks a parser has open, one growing buffer for the whole body:
 * a block's numbers are contiguous and follow its enclosing block's, so nothing is allocated
 * per list, only when a block is taken out ({@link take}).
 */
export class PackedNumbers {
  private values = new Float64Array(1024);
  private kinds = new Uint8Array(1024);
  private size = 0;

  /** The number of numbers held. */
  get count(): number {
    return this.size;
  }

  /** Appends a number of a `PACKED_*` kind. */
  push(value: number, kind: number): void {
    if (this.size === this.values.length) this.grow();
    this.values[this.size] = value;
    this.kinds[this.size++] = kind;
  }

  /** Appends `value`; false when it cannot be packed (not a number, or an integer past 2^53). */
  pushValue(value: JsonValue): boolean {
    if (value.kind === 'double') this.push(value.value, PACKED_DOUBLE);
    else if (value.kind === 'int' && value.big === undefined) {
      this.push(value.value, value.int32 ? PACKED_INT32 : PACKED_INT);
    } else return false;
    return true;
  }

  /**
   * The numbers from `start` on as a block of `shape`, copied out (trimmed to size); they are
   * dropped from the buffer.
   */
  take(start: number, shape: readonly number[]): PackedJsonArray {
    const block = new PackedJsonArray(
      this.values.slice(start, this.size),
      this.kinds.slice(start, this.size),
      shape,
    );
    this.size = start;
    return block;
  }

  private grow(): void {
    const values = new Float64Array(this.size * 2);
    values.set(this.values);
    this.values = values;
    const kinds = new Uint8Array(this.size * 2);
    kinds.set(this.kinds);
    this.kinds = kinds;
  }
}
