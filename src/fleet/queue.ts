/** A first-in first-out queue with O(1) push and shift, for queues of any length. */
export interface Queue<T> {
  push(item: T): void;
  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined;
  readonly length: number;
}

interface Node<T> {
  item: T;
  next?: Node<T>;
}

/** Create an empty {@link Queue}: a singly linked list, so no shift ever moves the others. */
export function createQueue<T>(): Queue<T> {
  let head: Node<T> | undefined;
  let tail: Node<T> | undefined;
  let length = 0;
  return {
    push(item) {
      const node: Node<T> = { item };
      if (tail) tail.next = node;
      else head = node;
      tail = node;
      length++;
    },
    shift() {
      if (!head) return undefined;
      const { item, next } = head;
      head = next;
      if (!head) tail = undefined;
      length--;
      return item;
    },
    get length() {
      return length;
    },
  };
}
