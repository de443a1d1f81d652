/**
 * The `.cvr` grammar as a chevrotain CST parser. `grammar/cvr.ebnf` is its normative,
 * hand-written twin; `npm run grammar` regenerates the railroad diagram and the typed CST
 * (`cst-types.ts`) from this class. Rules are class fields, so a misspelt rule is a compile error.
 */
import { CstParser, EOF, tokenMatcher } from 'chevrotain';
import type { IToken, TokenType } from 'chevrotain';
import * as T from './lexer.ts';
import { cvrErrorMessages } from './parse-messages.ts';
import { runsCompiled } from '../diag/index.ts';

/** Keywords that start a setting of a manifest body; a `columns` list stops at them. */
const MANIFEST_SETTING_STARTS = [T.Columns, T.Root, T.Only, T.Map, T.Coarse, T.Delimiter, T.Where, T.Encoding, T.Alias] as const;
/** Field keywords that are also column roles: they end a `columns` list only when a string follows. */
const FIELD_KEYWORDS = [T.Image, T.Label, T.Patient, T.Source, T.Partition] as const;

function isOneOf(token: IToken, types: readonly (typeof T.Name)[]): boolean {
  return types.some((t) => tokenMatcher(token, t));
}

/** Braces opened (and not yet closed) after skipping `token`. */
function nestedDepth(depth: number, token: IToken): number {
  if (tokenMatcher(token, T.LCurly)) return depth + 1;
  if (tokenMatcher(token, T.RCurly) && depth > 0) return depth - 1;
  return depth;
}

/** A brace, or a token that starts a line, may be where parsing resumes after an error. */
function canResyncAt(token: IToken, previous: IToken): boolean {
  if (tokenMatcher(token, T.LCurly) || tokenMatcher(token, T.RCurly)) return true;
  return !Number.isFinite(previous.startOffset) || (previous.endLine ?? previous.startLine ?? 0) < (token.startLine ?? 0);
}

/** Keywords that start a setting of a `train` block; they end an optimizer's or schedule's parameters. */
const TRAIN_SETTING_STARTS = [T.Optimizer, T.Loss, T.ClassWeights, T.Batch, T.Epochs, T.ReduceLr, T.EarlyStop] as const;

/** Token types that carry a value; one of them written in place of another is replaced in recovery. */
const VALUE_TYPES = [T.Name, T.NumberLit, T.StringLit, T.RegexLit] as const;

type InRuleRecovery = (expected: TokenType, follows: TokenType[]) => IToken;
const chevrotainInRuleRecovery = (CstParser.prototype as unknown as { tryInRuleRecovery: InRuleRecovery }).tryInRuleRecovery;

export class CvrParser extends CstParser {
  constructor() {
    super([...T.ALL_TOKENS], { skipValidations: runsCompiled(), recoveryEnabled: true, nodeLocationTracking: 'full', maxLookahead: 3, errorMessageProvider: cvrErrorMessages });
    this.performSelfAnalysis();
  }

  /**
   * chevrotain recovers in a rule by inserting a missing token or deleting an extra one. This
   * adds replacing one: a value of the wrong kind on the same line (`batch "8"`, `seed twenty`)
   * stands in for the expected value, so the rest of the block parses instead of being skipped
   * to the next `}`, which would end the wrong block and report errors that are not there.
   */
  tryInRuleRecovery(expected: TokenType, follows: TokenType[]): IToken {
    const next = this.LA(1);
    const previous = this.LA(0);
    const wrongValue =
      VALUE_TYPES.includes(expected as (typeof VALUE_TYPES)[number]) &&
      (isOneOf(next, [T.Identifier, T.NumberLit, T.StringLit, T.RegexLit])) &&
      next.startLine === (previous.endLine ?? previous.startLine);
    if (wrongValue) {
      (this as unknown as { consumeToken(): void }).consumeToken();
      return this.getTokenToInsert(expected);
    }
    return chevrotainInRuleRecovery.call(this, expected, follows);
  }

  /**
   * After an error chevrotain skips ahead to a token that may follow one of the rules being
   * parsed. Done naively, the `}` of a block nested inside the broken statement
   * (`split random { validation 10% }`) would be taken for the end of the enclosing block, and
   * every later `}` would then be reported too. So the scan steps over balanced `{ … }`, and
   * takes a word for the start of the next statement only at the start of a line (in
   * `test sources a` inside a kfold block, `sources` does not start a statement).
   * (`reSyncTo` below must stop at exactly the token this finds.)
   */
  findReSyncTokenType(): TokenType {
    const candidates = (this as unknown as { flattenFollowSet(): TokenType[] }).flattenFollowSet();
    let depth = 0;
    for (let k = 1; ; k++) {
      const token = this.LA(k);
      if (tokenMatcher(token, EOF)) return EOF;
      if (depth === 0 && canResyncAt(token, this.LA(k - 1))) {
        const found = candidates.find((t) => tokenMatcher(token, t));
        if (found !== undefined) return found;
      }
      depth = nestedDepth(depth, token);
    }
  }

  reSyncTo(tokType: TokenType): IToken[] {
    const skipped: IToken[] = [];
    let depth = 0;
    let next = this.LA(1);
    while (!(depth === 0 && tokenMatcher(next, tokType) && canResyncAt(next, this.LA(0))) && !tokenMatcher(next, EOF)) {
      depth = nestedDepth(depth, next);
      (this as unknown as { consumeToken(): void }).consumeToken();
      skipped.push(next);
      next = this.LA(1);
    }
    return skipped;
  }

  file = this.RULE('file', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.pipeline) },
        { ALT: () => this.SUBRULE(this.sourceDecl) },
        { ALT: () => this.SUBRULE(this.namedBlock) },
      ]);
    });
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit, { LABEL: 'path' });
  });

  /** Top-level shared parts: `classes NAME { … }`, `image NAME { … }`, `train NAME { … }`, … */
  namedBlock = this.RULE('namedBlock', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Classes); this.CONSUME1(T.Name, { LABEL: 'name' }); this.SUBRULE(this.classesBlock); } },
      { ALT: () => { this.CONSUME(T.Image); this.CONSUME2(T.Name, { LABEL: 'name' }); this.SUBRULE(this.imageBlock); } },
      { ALT: () => { this.CONSUME(T.Augment); this.CONSUME3(T.Name, { LABEL: 'name' }); this.SUBRULE(this.augmentBlock); } },
      { ALT: () => { this.CONSUME(T.Train); this.CONSUME4(T.Name, { LABEL: 'name' }); this.SUBRULE(this.trainBlock); } },
      { ALT: () => { this.CONSUME(T.Evaluate); this.CONSUME5(T.Name, { LABEL: 'name' }); this.SUBRULE(this.evaluateBlock); } },
    ]);
  });

  pipeline = this.RULE('pipeline', () => {
    this.CONSUME(T.Pipeline);
    this.CONSUME1(T.Name, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Extends);
      this.CONSUME2(T.Name, { LABEL: 'base' });
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RCurly);
  });

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.titleStmt) },
      { ALT: () => this.SUBRULE(this.descriptionStmt) },
      { ALT: () => this.SUBRULE(this.seedStmt) },
      { ALT: () => this.SUBRULE(this.classesStmt) },
      { ALT: () => this.SUBRULE(this.sourceDecl) },
      { ALT: () => this.SUBRULE(this.sourcesFromManifest) },
      { ALT: () => this.SUBRULE(this.taskStmt) },
      { ALT: () => this.SUBRULE(this.splitStmt) },
      { ALT: () => this.SUBRULE(this.imageStmt) },
      { ALT: () => this.SUBRULE(this.augmentStmt) },
      { ALT: () => this.SUBRULE(this.modelStmt) },
      { ALT: () => this.SUBRULE(this.compareModelsStmt) },
      { ALT: () => this.SUBRULE(this.trainStmt) },
      { ALT: () => this.SUBRULE(this.evaluateStmt) },
      { ALT: () => this.SUBRULE(this.engineStmt) },
      { ALT: () => this.SUBRULE(this.patientsSharedStmt) },
      { ALT: () => this.SUBRULE(this.probesStmt) },
      { ALT: () => this.SUBRULE(this.executorStmt) },
      { ALT: () => this.SUBRULE(this.dedupeStmt) },
    ]);
  });

  /** `patients shared across sources`: patient ids are global, not per source. */
  patientsSharedStmt = this.RULE('patientsSharedStmt', () => {
    this.CONSUME(T.Patients);
    this.CONSUME(T.Shared);
    this.CONSUME(T.Across);
    this.CONSUME(T.Sources);
  });

  titleStmt = this.RULE('titleStmt', () => {
    this.CONSUME(T.Title);
    this.CONSUME(T.StringLit, { LABEL: 'text' });
  });

  descriptionStmt = this.RULE('descriptionStmt', () => {
    this.CONSUME(T.Description);
    this.CONSUME(T.StringLit, { LABEL: 'text' });
  });

  seedStmt = this.RULE('seedStmt', () => {
    this.CONSUME(T.Seed);
    this.CONSUME(T.NumberLit, { LABEL: 'value' });
  });

  // ---- classes

  classesStmt = this.RULE('classesStmt', () => {
    this.CONSUME(T.Classes);
    this.OR([
      { ALT: () => this.CONSUME(T.Name, { LABEL: 'ref' }) },
      { ALT: () => this.SUBRULE(this.classesBlock) },
    ]);
  });

  classesBlock = this.RULE('classesBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.classDecl));
    this.CONSUME(T.RCurly);
  });

  classDecl = this.RULE('classDecl', () => {
    this.CONSUME1(T.Name, { LABEL: 'name' });
    this.OPTION1(() => {
      this.CONSUME(T.Equals);
      this.CONSUME2(T.Name, { LABEL: 'member' });
      this.MANY(() => {
        this.CONSUME(T.Pipe);
        this.CONSUME3(T.Name, { LABEL: 'member' });
      });
    });
    this.OPTION2(() => this.CONSUME(T.StringLit, { LABEL: 'description' }));
  });

  // ---- sources

  sourceDecl = this.RULE('sourceDecl', () => {
    this.CONSUME(T.Source);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.OR([
        { ALT: () => this.CONSUME(T.Drop) },
        { ALT: () => this.MANY(() => this.SUBRULE(this.sourceSetting)) },
      ]);
      this.CONSUME(T.RCurly);
    });
  });

  sourceSetting = this.RULE('sourceSetting', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.folderLocation) },
      { ALT: () => this.SUBRULE(this.manifestLocation) },
      { ALT: () => this.SUBRULE(this.labelsFromPath) },
      { ALT: () => this.SUBRULE(this.patientsFromPath) },
      { ALT: () => this.SUBRULE(this.labelMap) },
      { ALT: () => this.SUBRULE(this.coarsePolicy) },
    ]);
  });

  folderLocation = this.RULE('folderLocation', () => {
    this.CONSUME(T.Folder);
    this.CONSUME(T.StringLit, { LABEL: 'path' });
  });

  manifestLocation = this.RULE('manifestLocation', () => {
    this.CONSUME(T.Manifest);
    this.CONSUME(T.StringLit, { LABEL: 'path' });
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.MANY(() => this.SUBRULE(this.manifestField));
      this.CONSUME(T.RCurly);
    });
  });

  labelsFromPath = this.RULE('labelsFromPath', () => {
    this.CONSUME(T.Labels);
    this.CONSUME(T.From);
    this.CONSUME(T.Path);
    this.CONSUME(T.RegexLit, { LABEL: 'regex' });
  });

  patientsFromPath = this.RULE('patientsFromPath', () => {
    this.CONSUME(T.Patients);
    this.CONSUME(T.From);
    this.CONSUME(T.Path);
    this.CONSUME(T.RegexLit, { LABEL: 'regex' });
  });

  /** `coarse drop` or `coarse error`; the word is checked when the AST is built. */
  coarsePolicy = this.RULE('coarsePolicy', () => {
    this.CONSUME(T.Coarse);
    this.CONSUME(T.Name, { LABEL: 'action' });
  });

  /** Column settings shared by `manifest "…" { }` and `sources from manifest "…" { }`. */
  manifestField = this.RULE('manifestField', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Image); this.CONSUME1(T.StringLit, { LABEL: 'value' }); } },
      {
        ALT: () => {
          this.CONSUME(T.Label);
          this.CONSUME2(T.StringLit, { LABEL: 'value' });
          // `label "Finding Labels" split "|"`: a multi-valued label.
          this.OPTION(() => {
            this.CONSUME(T.Split);
            this.CONSUME7(T.StringLit, { LABEL: 'separator' });
          });
        },
      },
      { ALT: () => { this.CONSUME(T.Where); this.SUBRULE(this.whereOr); } },
      { ALT: () => { this.CONSUME(T.Encoding); this.CONSUME3(T.Name, { LABEL: 'encoding' }); } },
      { ALT: () => { this.CONSUME(T.Patient); this.CONSUME3(T.StringLit, { LABEL: 'value' }); } },
      { ALT: () => { this.CONSUME(T.Source); this.CONSUME4(T.StringLit, { LABEL: 'value' }); } },
      { ALT: () => { this.CONSUME(T.Partition); this.CONSUME5(T.StringLit, { LABEL: 'value' }); } },
      { ALT: () => { this.CONSUME(T.Root); this.CONSUME6(T.StringLit, { LABEL: 'value' }); } },
      { ALT: () => { this.CONSUME(T.Delimiter); this.CONSUME1(T.Name, { LABEL: 'delimiter' }); } },
      {
        ALT: () => {
          this.CONSUME(T.Columns);
          // Column names are written without commas (`columns patient image label source`), so
          // the list ends where the next setting starts: a setting keyword, or a field keyword
          // followed by its string (`root "…"`), or `partition NAME` (a fixed partition).
          this.AT_LEAST_ONE({
            GATE: () => this.columnContinues(),
            DEF: () => {
              this.OR2([
                { ALT: () => this.CONSUME2(T.Name, { LABEL: 'column' }) },
                // `image` and `source` are reserved words but also column roles.
                { ALT: () => this.CONSUME2(T.Image, { LABEL: 'column' }) },
                { ALT: () => this.CONSUME2(T.Source, { LABEL: 'column' }) },
              ]);
            },
          });
        },
      },
    ]);
  });

  private columnContinues(): boolean {
    const next = this.LA(1);
    const after = this.LA(2);
    if (!isOneOf(next, [T.Name, T.Image, T.Source]) || isOneOf(next, MANIFEST_SETTING_STARTS)) return false;
    if (isOneOf(next, FIELD_KEYWORDS) && tokenMatcher(after, T.StringLit)) return false;
    if (tokenMatcher(next, T.Partition) && isOneOf(after, [T.Name, T.Train]) && !isOneOf(after, [...FIELD_KEYWORDS, ...MANIFEST_SETTING_STARTS])) {
      return false;
    }
    return true;
  }

  // ---- `where` filters: or binds loosest, then and, then not; parentheses group.

  whereOr = this.RULE('whereOr', () => {
    this.SUBRULE1(this.whereAnd);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.whereAnd);
    });
  });

  whereAnd = this.RULE('whereAnd', () => {
    this.SUBRULE1(this.whereNot);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.whereNot);
    });
  });

  whereNot = this.RULE('whereNot', () => {
    this.OR([
      {
        // `not` is also a name (a column may be called `not`): it negates only when a term follows.
        GATE: () => !isOneOf(this.LA(2), [T.EqEq, T.NotEq, T.In, T.Matches]),
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.whereNot);
        },
      },
      { ALT: () => this.SUBRULE(this.whereAtom) },
    ]);
  });

  whereAtom = this.RULE('whereAtom', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.whereOr);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.whereComparison) },
    ]);
  });

  /** `modality == "X-ray"`, `"View Position" != "LL"`, `view in ("PA", "AP")`, `finding matches /covid/i`. */
  whereComparison = this.RULE('whereComparison', () => {
    this.OR1([
      { ALT: () => this.CONSUME1(T.Name, { LABEL: 'column' }) },
      { ALT: () => this.CONSUME1(T.StringLit, { LABEL: 'column' }) },
    ]);
    this.OR2([
      { ALT: () => { this.CONSUME(T.EqEq, { LABEL: 'op' }); this.SUBRULE1(this.whereValue); } },
      { ALT: () => { this.CONSUME(T.NotEq, { LABEL: 'op' }); this.SUBRULE2(this.whereValue); } },
      {
        ALT: () => {
          this.CONSUME(T.In, { LABEL: 'op' });
          this.CONSUME(T.LParen);
          this.SUBRULE3(this.whereValue);
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE4(this.whereValue);
          });
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => { this.CONSUME(T.Matches, { LABEL: 'op' }); this.CONSUME(T.RegexLit, { LABEL: 'regex' }); } },
    ]);
  });

  whereValue = this.RULE('whereValue', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'value' }) },
      { ALT: () => this.CONSUME(T.NumberLit, { LABEL: 'value' }) },
    ]);
  });

  /** `alias { "rnsa" -> rsna, "" -> unknown }`: renames values of the source column. */
  aliasBlock = this.RULE('aliasBlock', () => {
    this.CONSUME(T.Alias);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.aliasEntry);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  aliasEntry = this.RULE('aliasEntry', () => {
    this.CONSUME(T.StringLit, { LABEL: 'from' });
    this.CONSUME(T.Arrow);
    this.CONSUME(T.Name, { LABEL: 'target' });
  });

  sourcesFromManifest = this.RULE('sourcesFromManifest', () => {
    this.CONSUME(T.Sources);
    this.CONSUME(T.From);
    this.CONSUME(T.Manifest);
    this.CONSUME(T.StringLit, { LABEL: 'path' });
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.manifestField) },
        { ALT: () => this.SUBRULE(this.fixedPartition) },
        { ALT: () => this.SUBRULE(this.onlySources) },
        { ALT: () => this.SUBRULE(this.aliasBlock) },
        { ALT: () => this.SUBRULE(this.labelMap) },
        { ALT: () => this.SUBRULE(this.coarsePolicy) },
      ]);
    });
    this.CONSUME(T.RCurly);
  });

  /** `partition test`: every row of the manifest is in that partition (`partition "col"` is a column). */
  fixedPartition = this.RULE('fixedPartition', () => {
    this.CONSUME(T.Partition);
    this.OR([
      { ALT: () => this.CONSUME(T.Name, { LABEL: 'partition' }) },
      // `train` is a reserved word but also a partition.
      { ALT: () => this.CONSUME(T.Train, { LABEL: 'partition' }) },
    ]);
  });

  onlySources = this.RULE('onlySources', () => {
    this.CONSUME(T.Only);
    this.SUBRULE(this.nameList);
  });

  labelMap = this.RULE('labelMap', () => {
    this.CONSUME(T.Map);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.mapEntry);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `"BACTERIA" -> OBP` or `"Lateral" -> drop` (`drop` is told apart when the AST is built). */
  mapEntry = this.RULE('mapEntry', () => {
    // An exact label, a /regex/, or `other` (every label no exact key or regex matches).
    this.OR([
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'from' }) },
      { ALT: () => this.CONSUME(T.RegexLit, { LABEL: 'pattern' }) },
      { ALT: () => this.CONSUME(T.Other, { LABEL: 'other' }) },
    ]);
    this.CONSUME(T.Arrow);
    this.CONSUME(T.Name, { LABEL: 'target' });
  });

  nameList = this.RULE('nameList', () => {
    this.CONSUME1(T.Name, { LABEL: 'item' });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Name, { LABEL: 'item' });
    });
  });

  // ---- task and split

  taskStmt = this.RULE('taskStmt', () => {
    this.CONSUME(T.Task);
    this.CONSUME1(T.Name, { LABEL: 'class' });
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.Vs);
      this.CONSUME2(T.Name, { LABEL: 'class' });
    });
  });

  splitStmt = this.RULE('splitStmt', () => {
    this.CONSUME(T.Split);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Kfold);
          this.CONSUME(T.NumberLit, { LABEL: 'k' });
          this.OPTION1(() => this.SUBRULE(this.kfoldBody));
        },
      },
      { ALT: () => { this.CONSUME(T.Holdout); this.OPTION2(() => this.SUBRULE(this.holdoutBody)); } },
      { ALT: () => { this.CONSUME(T.LeaveSourceOut); this.OPTION3(() => this.SUBRULE1(this.partitionedBody)); } },
      { ALT: () => { this.CONSUME(T.Given); this.OPTION4(() => this.SUBRULE2(this.partitionedBody)); } },
    ]);
  });

  kfoldBody = this.RULE('kfoldBody', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Stratified) },
        { ALT: () => this.SUBRULE(this.groupedBy) },
        { ALT: () => this.SUBRULE(this.validationSpec) },
      ]);
    });
    this.CONSUME(T.RCurly);
  });

  holdoutBody = this.RULE('holdoutBody', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.testSpec) },
        { ALT: () => this.SUBRULE(this.groupedBy) },
        { ALT: () => this.SUBRULE(this.validationSpec) },
      ]);
    });
    this.CONSUME(T.RCurly);
  });

  /** The body of `leave_source_out` and `given`: the test set is fixed by the form. */
  partitionedBody = this.RULE('partitionedBody', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.groupedBy) },
        { ALT: () => this.SUBRULE(this.validationSpec) },
      ]);
    });
    this.CONSUME(T.RCurly);
  });

  testSpec = this.RULE('testSpec', () => {
    this.CONSUME(T.Test);
    this.OR([
      { ALT: () => { this.CONSUME(T.Sources); this.SUBRULE(this.nameList); } },
      {
        ALT: () => {
          this.CONSUME(T.NumberLit, { LABEL: 'fraction' });
          this.OPTION(() => this.CONSUME(T.Stratified));
        },
      },
    ]);
  });

  groupedBy = this.RULE('groupedBy', () => {
    this.CONSUME(T.Grouped);
    this.CONSUME(T.By);
    this.CONSUME(T.Name, { LABEL: 'key' });
  });

  validationSpec = this.RULE('validationSpec', () => {
    this.CONSUME(T.Validation);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.NumberLit, { LABEL: 'fraction' });
          this.OPTION(() => this.CONSUME(T.Stratified));
        },
      },
      { ALT: () => this.CONSUME(T.Test) },
    ]);
  });

  // ---- image and augmentation

  imageStmt = this.RULE('imageStmt', () => {
    this.CONSUME(T.Image);
    this.OR([
      { ALT: () => this.CONSUME(T.Name, { LABEL: 'ref' }) },
      { ALT: () => this.SUBRULE(this.imageBlock) },
    ]);
  });

  imageBlock = this.RULE('imageBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.imageSetting));
    this.CONSUME(T.RCurly);
  });

  /** One setting of an image block. Its own rule, so that after an error parsing resumes at the next setting of this block. */
  imageSetting = this.RULE('imageSetting', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Size);
          this.CONSUME1(T.NumberLit, { LABEL: 'width' });
          this.CONSUME(T.X);
          this.CONSUME2(T.NumberLit, { LABEL: 'height' });
        },
      },
      { ALT: () => { this.CONSUME(T.Resize); this.CONSUME1(T.Name, { LABEL: 'resize' }); } },
      { ALT: () => { this.CONSUME(T.Channels); this.CONSUME3(T.NumberLit, { LABEL: 'channels' }); } },
      { ALT: () => { this.CONSUME(T.Normalize); this.CONSUME2(T.Name, { LABEL: 'normalize' }); } },
    ]);
  });

  augmentStmt = this.RULE('augmentStmt', () => {
    this.CONSUME(T.Augment);
    this.OR([
      { ALT: () => this.CONSUME(T.Name, { LABEL: 'ref' }) },
      { ALT: () => this.SUBRULE(this.augmentBlock) },
    ]);
  });

  augmentBlock = this.RULE('augmentBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.augmentOp));
    this.CONSUME(T.RCurly);
  });

  /** `rotate 15deg p 0.45` · `flip horizontal` · `flip vertical p 0.5` */
  augmentOp = this.RULE('augmentOp', () => {
    this.CONSUME1(T.Name, { LABEL: 'op' });
    // An axis is a bare word on the op's own line (`flip horizontal`); a word on the next line
    // starts the next op. Ops are not separated otherwise, so the line is what tells them apart.
    this.OPTION1({
      GATE: () => !tokenMatcher(this.LA(1), T.P) && this.LA(1).startLine === this.LA(0).endLine,
      DEF: () => this.CONSUME2(T.Name, { LABEL: 'axis' }),
    });
    this.OPTION2(() => this.CONSUME1(T.NumberLit, { LABEL: 'amount' }));
    this.OPTION3(() => {
      this.CONSUME(T.P);
      this.CONSUME2(T.NumberLit, { LABEL: 'p' });
    });
  });

  // ---- models

  modelStmt = this.RULE('modelStmt', () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.modelOptions));
  });

  compareModelsStmt = this.RULE('compareModelsStmt', () => {
    this.CONSUME(T.Compare);
    this.CONSUME(T.Models);
    this.SUBRULE(this.nameList);
    this.OPTION(() => this.SUBRULE(this.modelOptions));
  });

  modelOptions = this.RULE('modelOptions', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.modelOption));
    this.CONSUME(T.RCurly);
  });

  modelOption = this.RULE('modelOption', () => {
    this.CONSUME1(T.Name, { LABEL: 'key' });
    this.OR([
      { ALT: () => this.CONSUME2(T.Name, { LABEL: 'word' }) },
      { ALT: () => this.CONSUME(T.NumberLit, { LABEL: 'number' }) },
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'text' }) },
      { ALT: () => this.SUBRULE(this.pathMap) },
    ]);
  });

  /** `{ resnet50 "r.h5"  xception "x.h5" }`: one path per branch (`weights` of CVR-Net). */
  pathMap = this.RULE('pathMap', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.CONSUME(T.Name, { LABEL: 'branch' });
      this.CONSUME(T.StringLit, { LABEL: 'path' });
    });
    this.CONSUME(T.RCurly);
  });

  // ---- training

  trainStmt = this.RULE('trainStmt', () => {
    this.CONSUME(T.Train);
    this.OR([
      { ALT: () => this.CONSUME(T.Name, { LABEL: 'ref' }) },
      { ALT: () => this.SUBRULE(this.trainBlock) },
    ]);
  });

  trainBlock = this.RULE('trainBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.trainSetting));
    this.CONSUME(T.RCurly);
  });

  /** One setting of a train block. Its own rule, so that after an error parsing resumes at the next setting of this block. */
  trainSetting = this.RULE('trainSetting', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.optimizerSpec) },
      { ALT: () => { this.CONSUME(T.Loss); this.CONSUME(T.Name, { LABEL: 'loss' }); } },
      { ALT: () => this.SUBRULE(this.classWeightsSpec) },
      { ALT: () => { this.CONSUME(T.Batch); this.CONSUME1(T.NumberLit, { LABEL: 'batch' }); } },
      { ALT: () => { this.CONSUME(T.Epochs); this.CONSUME2(T.NumberLit, { LABEL: 'epochs' }); } },
      { ALT: () => this.SUBRULE(this.reduceLrSpec) },
      { ALT: () => this.SUBRULE(this.earlyStopSpec) },
    ]);
  });

  optimizerSpec = this.RULE('optimizerSpec', () => {
    this.CONSUME(T.Optimizer);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.MANY({ GATE: () => this.namedNumberAhead(), DEF: () => this.SUBRULE(this.namedNumber) });
  });

  /**
   * A `key number` pair starts here: a name followed by a number, unless the name starts the
   * next training setting (`optimizer adam` then `epochs 30` is not a parameter `epochs`).
   */
  private namedNumberAhead(): boolean {
    const key = this.LA(1);
    return tokenMatcher(key, T.Name) && !isOneOf(key, TRAIN_SETTING_STARTS) && tokenMatcher(this.LA(2), T.NumberLit);
  }

  namedNumber = this.RULE('namedNumber', () => {
    this.CONSUME(T.Name, { LABEL: 'key' });
    this.CONSUME(T.NumberLit, { LABEL: 'value' });
  });

  classWeightsSpec = this.RULE('classWeightsSpec', () => {
    this.CONSUME(T.ClassWeights);
    this.OR([
      { ALT: () => this.CONSUME(T.Name, { LABEL: 'mode' }) },
      {
        ALT: () => {
          this.CONSUME(T.LCurly);
          this.MANY(() => {
            this.SUBRULE(this.classWeight);
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
    ]);
  });

  classWeight = this.RULE('classWeight', () => {
    this.CONSUME(T.Name, { LABEL: 'className' });
    this.CONSUME(T.NumberLit, { LABEL: 'weight' });
  });

  reduceLrSpec = this.RULE('reduceLrSpec', () => {
    this.CONSUME(T.ReduceLr);
    this.CONSUME(T.On);
    this.CONSUME(T.Name, { LABEL: 'metric' });
    this.MANY({ GATE: () => this.namedNumberAhead(), DEF: () => this.SUBRULE(this.namedNumber) });
  });

  earlyStopSpec = this.RULE('earlyStopSpec', () => {
    this.CONSUME(T.EarlyStop);
    this.CONSUME(T.On);
    this.CONSUME(T.Name, { LABEL: 'metric' });
    // The gate belongs on MANY itself: its own lookahead only sees "a name", so without it the
    // next line's setting (`loss …`) would be taken for a parameter and fail inside the OR.
    this.MANY({
      GATE: () => this.namedNumberAhead() || tokenMatcher(this.LA(1), T.RestoreBest),
      DEF: () => {
        this.OR([
          { GATE: () => this.namedNumberAhead(), ALT: () => this.SUBRULE(this.namedNumber) },
          { ALT: () => this.CONSUME(T.RestoreBest) },
        ]);
      },
    });
  });

  // ---- evaluation and engine

  evaluateStmt = this.RULE('evaluateStmt', () => {
    this.CONSUME(T.Evaluate);
    this.OR([
      { ALT: () => this.CONSUME(T.Name, { LABEL: 'ref' }) },
      { ALT: () => this.SUBRULE(this.evaluateBlock) },
    ]);
  });

  evaluateBlock = this.RULE('evaluateBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.evaluateSetting));
    this.CONSUME(T.RCurly);
  });

  /** One setting of an evaluate block. Its own rule, so that after an error parsing resumes at the next setting of this block. */
  evaluateSetting = this.RULE('evaluateSetting', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Metrics); this.SUBRULE(this.nameList); } },
      { ALT: () => this.CONSUME(T.Confusion) },
      { ALT: () => this.CONSUME(T.BySource) },
      { ALT: () => { this.CONSUME(T.Bootstrap); this.CONSUME(T.NumberLit, { LABEL: 'bootstrap' }); } },
      { ALT: () => this.SUBRULE(this.gradcamSpec) },
    ]);
  });

  gradcamSpec = this.RULE('gradcamSpec', () => {
    this.CONSUME(T.Gradcam);
    this.CONSUME(T.Name, { LABEL: 'className' });
    this.MANY(() => {
      this.OR([
        { ALT: () => { this.CONSUME(T.Top); this.CONSUME1(T.NumberLit, { LABEL: 'top' }); } },
        { ALT: () => { this.CONSUME(T.Threshold); this.CONSUME2(T.NumberLit, { LABEL: 'threshold' }); } },
      ]);
    });
  });

  // ---- image-level evidence

  /** `probes { source_probe  periphery_only { model resnet50 { width 0.125 } epochs 5 }  lung_only  gradcam_in_lungs }` */
  probesStmt = this.RULE('probesStmt', () => {
    this.CONSUME(T.Probes);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.probeDecl));
    this.CONSUME(T.RCurly);
  });

  /** `dedupe near { threshold 0.95  keep first }`: the method, then `key value` settings the checker knows. */
  dedupeStmt = this.RULE('dedupeStmt', () => {
    this.CONSUME(T.Dedupe);
    this.CONSUME(T.Name, { LABEL: 'method' });
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.MANY(() => this.SUBRULE(this.dedupeSetting));
      this.CONSUME(T.RCurly);
    });
  });

  dedupeSetting = this.RULE('dedupeSetting', () => {
    this.CONSUME1(T.Name, { LABEL: 'key' });
    this.OR([{ ALT: () => this.CONSUME2(T.Name, { LABEL: 'word' }) }, { ALT: () => this.CONSUME(T.NumberLit, { LABEL: 'number' }) }]);
  });

  /** One probe: its name, then optionally its settings in braces. */
  probeDecl = this.RULE('probeDecl', () => {
    this.CONSUME(T.Name, { LABEL: 'probe' });
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.MANY(() => this.SUBRULE(this.probeSetting));
      this.CONSUME(T.RCurly);
    });
  });

  /** `model resnet50 { width 0.125 }` · `epochs 5` · `folds 5` · any `key value` (or `key n n …`); the checker knows the keys. */
  probeSetting = this.RULE('probeSetting', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Model);
          this.CONSUME1(T.Name, { LABEL: 'model' });
          this.OPTION(() => this.SUBRULE(this.modelOptions));
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.Name, { LABEL: 'key' });
          this.OR2([
            { ALT: () => this.CONSUME3(T.Name, { LABEL: 'word' }) },
            { ALT: () => this.CONSUME(T.NumberLit, { LABEL: 'number' }) },
            { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'text' }) },
          ]);
          // `ellipse 0.30 0.44 0.15 0.31` in `lung_field { }`: further numbers.
          this.MANY(() => this.CONSUME1(T.NumberLit, { LABEL: 'more' }));
        },
      },
    ]);
  });

  // ---- where the nodes run

  /** `executor slurm { partition "gpu"  gres "gpu:1"  time 4h  cpus 8  mem 32G  retries 2 }` */
  executorStmt = this.RULE('executorStmt', () => {
    this.CONSUME(T.Executor);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.executorSetting));
    this.CONSUME(T.RCurly);
  });

  /** `key value`: a word, a string, or a number with a unit written against it (`4h`, `32G`: two tokens, no space between). */
  executorSetting = this.RULE('executorSetting', () => {
    this.CONSUME(T.Name, { LABEL: 'key' });
    this.OR([
      { ALT: () => this.CONSUME1(T.Name, { LABEL: 'word' }) },
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'text' }) },
      {
        ALT: () => {
          this.CONSUME(T.NumberLit, { LABEL: 'number' });
          this.OPTION({
            GATE: () => this.LA(1).startOffset === this.LA(0).endOffset! + 1,
            DEF: () => this.CONSUME2(T.Name, { LABEL: 'unit' }),
          });
        },
      },
    ]);
  });

  engineStmt = this.RULE('engineStmt', () => {
    this.CONSUME(T.Engine);
    this.CONSUME(T.Name, { LABEL: 'name' });
  });
}
