// @ts-check
/**
 * A typedoc plugin for the documentation site (both lines' API reference and the guides).
 *
 * Headings keep their code in "On this page": typedoc takes a heading's text from its plain text
 * only, so `# Maskinporten: scopes, \`resource\`` became "Maskinporten: scopes, ,"; each inline
 * code of a heading is given its text as a child, which is what typedoc reads.
 *
 * A service's page shows what a user calls.
 *
 * A service is a class made by `Context.Tag` (Effect 3) or `Context.Service` (Effect 4): the class
 * itself is the tag, and what `yield*` gives (`token`, `renew`, ...) is its shape, the instance
 * type's `Type` (Effect 3) or `Service` (Effect 4). typedoc lists only the class's static members
 * (`layer`, `layerConfig`, ...), so this converts each member of the shape onto the class page as
 * a property, with its own JSDoc, under "What the service offers".
 */
import { Application, Comment, CommentTag, Converter, ReflectionKind } from "typedoc"

const group = "What the service offers"

/** @param {import("typedoc").Application} app */
export function load(app) {
  // Set once the options are read (reading them resets what a plugin set before).
  app.on(Application.EVENT_BOOTSTRAP_END, () => app.options.setValue("markdownItLoader", (/** @type {any} */ parser) => {
    parser.core.ruler.push("heading-code-text", (/** @type {any} */ state) => {
      state.tokens.forEach((/** @type {any} */ token, /** @type {number} */ at) => {
        if (token.type !== "inline" || state.tokens[at - 1]?.type !== "heading_open") return
        for (const child of token.children ?? []) {
          if (child.type === "code_inline") child.children = [{ type: "text", content: child.content }]
        }
      })
    })
  }))
  /** @type {Set<import("typedoc").DeclarationReflection>} */
  const tags = new Set()
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    // A tag is never constructed by its users: no constructor on its page.
    for (const tag of tags) {
      for (const child of [...(tag.children ?? [])]) if (child.kindOf(ReflectionKind.Constructor)) context.project.removeReflection(child)
    }
    tags.clear()
    // A schema and the type of what it decodes share a name (`Claims`): one entry, the schema's.
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      if (!("children" in module)) continue
      const children = /** @type {import("typedoc").DeclarationReflection[]} */ (module.children ?? [])
      for (const alias of children.filter((child) => child.kindOf(ReflectionKind.TypeAlias))) {
        if (children.some((child) => child !== alias && child.name === alias.name && child.kindOf(ReflectionKind.Variable))) context.project.removeReflection(alias)
      }
    }
  })
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Class)) return
    const symbol = context.getSymbolFromReflection(reflection)
    if (symbol === undefined) return
    const checker = context.checker
    const instance = checker.getDeclaredTypeOfSymbol(symbol)
    // Only tags: Effect 3's carry `Id` and `Type`, Effect 4's `key` and `Service`.
    const shape = instance.getProperty("Id") !== undefined
      ? instance.getProperty("Type")
      : instance.getProperty("key") !== undefined
      ? instance.getProperty("Service")
      : undefined
    if (shape === undefined) return
    const members = checker.getTypeOfSymbol(shape).getProperties()
    // Converted under a symbol-less holder first: typedoc's inheritance analysis would look for each
    // member on the tag's base class, where it is not, and warn. Then moved onto the class.
    const inClass = context.withScope(reflection)
    const holder = inClass.createDeclarationReflection(ReflectionKind.Interface, undefined, undefined, "__service")
    const inHolder = inClass.withScope(holder)
    for (const member of members) context.converter.convertSymbol(inHolder, member)
    for (const child of holder.children ?? []) {
      child.parent = reflection
      child.comment ??= new Comment()
      child.comment.blockTags.push(new CommentTag("@group", [{ kind: "text", text: group }]))
      reflection.addChild(child)
    }
    holder.children = []
    reflection.removeChild(holder)
    context.project.removeReflection(holder)
    tags.add(reflection)
    app.logger.verbose(`${reflection.name}: ${members.length} members of its service shown`)
  })
}
