package web

// Items is the body of a list answered in one piece, without pages:
// {"items": [...]}. Its OpenAPI schema is named after what it holds
// (Items[Role] is ItemsRole); when two modules list types of one name, the
// router's namer numbers the later schema, as it does any other. Declare T
// at package level: a type declared in a function has a name with a "·N"
// suffix, which ends up in the schema's.
type Items[T any] struct {
	Items []T `json:"items"`
}

// ItemsOutput is the output of a huma operation that answers an Items
// body.
type ItemsOutput[T any] struct {
	Body Items[T]
}

// ItemsOf returns the output listing each of list mapped through toJSON,
// in list's order. Its items are never null: an empty or nil list is
// "items": [].
func ItemsOf[V, T any](list []V, toJSON func(V) T) *ItemsOutput[T] {
	out := &ItemsOutput[T]{Body: Items[T]{Items: make([]T, len(list))}}
	for i, v := range list {
		out.Body.Items[i] = toJSON(v)
	}
	return out
}

// CursorPage is the body of one page of a list that pages by cursor:
// {"items": [...], "nextCursor": "…"}, nextCursor absent on the last page.
// Its schema is named after what it holds, as Items'.
type CursorPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
}

// CursorOutput is the output of a huma operation that answers a
// CursorPage.
type CursorOutput[T any] struct {
	Body CursorPage[T]
}

// ReplyPage ends a list handler: the page of list mapped through toJSON
// (never null), with next, the cursor of the following page ("" on the
// last), or err as it is.
func ReplyPage[V, T any](list []V, next string, err error, toJSON func(V) T) (*CursorOutput[T], error) {
	if err != nil {
		return nil, err
	}
	return &CursorOutput[T]{Body: CursorPage[T]{Items: ItemsOf(list, toJSON).Body.Items, NextCursor: next}}, nil
}
